/**
 * A simulated lab's process answering the runner's kubectl calls over IPC (meshRunnerTiming.ts
 * forks it): each `{ id, args }` gets `{ id, result }`, a failure to answer an exit code 1 with
 * its message, as kubectl would report it.
 */
import type { KubectlResult } from "../../checks/probe/kubectl";

export function serveLabOverIpc(answer: (args: string[]) => Promise<KubectlResult>): void {
  process.on("message", (message: { id: number; args: string[] }) => {
    void answer(message.args).then(
      (result) => process.send?.({ id: message.id, result }),
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
