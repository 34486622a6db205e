import { PROJECT_DIR, Run, runCommand } from "../../scripts/lib/runCommand";

export { PROJECT_DIR, Run };

/** Runs a command in the project folder with the test's environment (scripts/lib/pulumi-env.sh's). */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 15 * 60_000,
  input?: string,
): Run {
  return runCommand(command, args, { env, timeoutMs, ...(input !== undefined ? { input } : {}) });
}

/** Runs pulumi; throws with its output when it fails and `mustPass` is set. */
export function pulumi(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  mustPass = true,
  timeoutMs?: number,
): Run {
  const result = run("pulumi", [...args, "--non-interactive"], env, timeoutMs);
  if (mustPass && result.code !== 0) {
    throw new Error(
      `pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** A stack name no other run uses. */
export function uniqueStack(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}

/** A kubeconfig whose API server refuses connections: what a pull-request preview often has. */
export const UNREACHABLE_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: nowhere
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: nowhere
  context:
    cluster: nowhere
    user: nobody
current-context: nowhere
users:
- name: nobody
  user:
    token: not-a-secret
`;
