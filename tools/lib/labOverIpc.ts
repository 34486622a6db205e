/**
 * A simulated lab's process answering the runner's kubectl calls over IPC (meshRunnerTiming.ts
 * forks it): each `{ id, args }` gets its stdout in `{ id, chunk }` messages of at most 64 KiB,
 * as a pipe would carry it (so a watch of 2,000 reports, some 30 MB, is never one message the
 * runner must hold), then `{ id, result }` with the exit code and stderr; a failure to answer an
 * exit code 1 with its message, as kubectl would report it.
 */
import type { KubectlResult } from "../../checks/probe/kubectl";

/** A pipe's chunk, as kubectl's stdout reaches the runner. */
export const IPC_CHUNK = 64 * 1024;

export function serveLabOverIpc(answer: (args: string[]) => Promise<KubectlResult>): void {
  process.on("message", (message: { id: number; args: string[] }) => {
    void answer(message.args).then(
      (result) => {
        for (let at = 0; at < result.stdout.length; at += IPC_CHUNK) {
          process.send?.({ id: message.id, chunk: result.stdout.slice(at, at + IPC_CHUNK) });
        }
        process.send?.({ id: message.id, result: { ...result, stdout: "" } });
      },
      (error: unknown) =>
        process.send?.({
          id: message.id,
          result: {
            code: 1,
            stdout: "",
            stderr: error instanceof Error ? error.message : String(error),
          },
        }),
    );
  });
}
