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
