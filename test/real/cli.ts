import { spawnSync } from "node:child_process";
import * as path from "node:path";

/** The project folder: every CLI call runs there. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** One finished CLI run. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs a command in the project folder with the test's environment (scripts/lib/pulumi-env.sh's). */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 15 * 60_000,
  input?: string,
): Run {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: PROJECT_DIR,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    ...(input !== undefined ? { input } : {}),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) {
    throw result.error;
  }
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr, seconds };
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
