import { PROJECT_DIR, Run, runCommand } from "../../tools/lib/runCommand";

export { PROJECT_DIR, Run };

/** Runs a command in the project folder with extra environment. */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 15 * 60_000,
  input?: string,
): Run {
  return runCommand(command, args, { env, timeoutMs, ...(input !== undefined ? { input } : {}) });
}

/** Where an engine operation's output and error text go. */
export interface Log {
  onOutput: (s: string) => void;
  onError: (s: string) => void;
}

/** Runs an engine operation and returns its output and error text, whether it failed or not. */
export async function attempt(
  operation: (log: Log) => Promise<unknown>,
): Promise<{ ok: boolean; text: string; seconds: number }> {
  let text = "";
  const log = { onOutput: (s: string) => (text += s), onError: (s: string) => (text += s) };
  const started = Date.now();
  try {
    await operation(log);
    return { ok: true, text, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    return { ok: false, text: `${text}\n${String(error)}`, seconds: (Date.now() - started) / 1000 };
  }
}
