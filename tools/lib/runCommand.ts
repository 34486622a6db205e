import { spawnSync } from "node:child_process";
import * as path from "node:path";

/** The project folder: commands run there unless told otherwise. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** One finished command. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** How to run a command. */
export interface RunOptions {
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to its stdin. */
  readonly input?: string;
  /** Killed after this long. */
  readonly timeoutMs?: number;
}

/** Runs a command (no shell) in the project folder, timing it; throws only if it cannot start. */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Run {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: PROJECT_DIR,
    env: { ...process.env, ...options.env },
    encoding: "utf8",
    timeout: options.timeoutMs ?? 15 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) {
    throw result.error;
  }
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr, seconds };
}

/** runCommand that throws, with the command's stderr, unless it exited 0. */
export function mustRun(command: string, args: string[], options: RunOptions = {}): Run {
  const result = runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result;
}
