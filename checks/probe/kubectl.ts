import { ChildProcess, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KubeconfigSource } from "./kubeconfig";
import { LineReader, lineStream } from "./lineStream";

export type { LineReader } from "./lineStream";

/** What a finished kubectl run left behind. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Raised when kubectl cannot be started at all. */
export class KubectlMissingError extends Error {}

/** The kubectl binary to use: $KUBECTL, or `kubectl` on PATH. */
export function kubectlBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBECTL ?? "kubectl";
}

/** kubectl runs still going: stopped with the runner, whatever stops it. */
const running = new Set<ChildProcess>();

/** Stops every kubectl this process started (each is the leader of its own process group). */
export function stopAllKubectl(signal: NodeJS.Signals = "SIGTERM"): void {
  for (const child of running) {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Where kubeconfig contents go for kubectl: a file with no name. It is made in /dev/shm (memory,
 * where there is one), filled, and unlinked at once; kubectl gets the open descriptor as fd 3 and
 * reads `--kubeconfig=/dev/fd/3`, which it may open as often as it likes. No path leads to it, and
 * it is gone when the last descriptor closes, however the runner ends (SIGKILL included). A pipe
 * will not do: kubectl reads its kubeconfig more than once, and a pipe is empty the second time.
 */
export function anonymousFile(content: string, prefix = "pod-to-pod-kubeconfig"): number {
  const dir = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  const file = path.join(dir, `${prefix}-${process.pid}-${crypto.randomBytes(8).toString("hex")}`);
  const fd = fs.openSync(file, "wx+", 0o600);
  try {
    fs.unlinkSync(file);
    // At position 0 (pwrite): the descriptor's own offset stays at the start for kubectl.
    fs.writeSync(fd, content, 0, "utf8");
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
  return fd;
}

/** The nameless kubeconfig of this process's runs, made on first use and kept until exit. */
let kubeconfigFd: number | undefined;

/** How to start kubectl for a kubeconfig source. */
function invocation(
  binary: string,
  args: readonly string[],
  kubeconfig: KubeconfigSource,
  env: NodeJS.ProcessEnv,
): { file: string; argv: string[]; env: NodeJS.ProcessEnv; fd?: number } {
  if (kubeconfig.kind === "content") {
    kubeconfigFd ??= anonymousFile(kubeconfig.content);
    const rest = { ...env };
    delete rest.KUBECONFIG;
    return { file: binary, argv: ["--kubeconfig=/dev/fd/3", ...args], env: rest, fd: kubeconfigFd };
  }
  if (kubeconfig.kind === "path") {
    return { file: binary, argv: [...args], env: { ...env, KUBECONFIG: kubeconfig.path } };
  }
  return { file: binary, argv: [...args], env };
}

/**
 * The most one kubectl run may print, in bytes: far above the largest read of a thousand nodes'
 * lab (its layout, some 25 MB), and what keeps a runaway stream (a log without end) from filling
 * the runner's memory.
 */
export const KUBECTL_OUTPUT_BOUND_BYTES = 256 * 1024 * 1024;

/** How a run's output is taken: its bound, and a reader for a streamed run. */
export interface OutputOptions {
  /**
   * The most the run may print, in bytes (streamed: the longest line), past which its group is
   * stopped and nothing of its output taken; KUBECTL_OUTPUT_BOUND_BYTES unless said.
   */
  readonly maxOutputBytes?: number;
  /** Given: stdout goes to it a line at a time (the result's stdout is then empty). */
  readonly lines?: LineReader;
}

/**
 * Runs kubectl with the given arguments (no shell between the arguments and kubectl). It talks to
 * the cluster the kubernetes provider uses; kubeconfig contents never appear in argv or on disk.
 * The run is bounded by `timeoutMs`, after which its whole process group is stopped, and by
 * `maxOutputBytes` of output: past it the group is stopped too, and the run fails with nothing of
 * its output taken (a stream cut at an arbitrary byte is no result). A streamed run (`lines`)
 * hands each line over as it comes, so a long watch is never held whole; its bound is a line's.
 */
export function kubectl(
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
  kubeconfig: KubeconfigSource = { kind: "environment" },
  output: OutputOptions = {},
): Promise<KubectlResult> {
  const maxOutputBytes = output.maxOutputBytes ?? KUBECTL_OUTPUT_BOUND_BYTES;
  const binary = kubectlBinary(env);
  const how = invocation(binary, args, kubeconfig, env);
  return new Promise((resolve, reject) => {
    const child = spawn(how.file, how.argv, {
      env: how.env,
      stdio: ["ignore", "pipe", "pipe", ...(how.fd !== undefined ? [how.fd] : [])],
      detached: true,
    });
    running.add(child);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let printed = 0;
    let overflowed = false;
    let enough = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stopGroup(child);
    }, timeoutMs);
    const overflow = () => {
      if (!overflowed) {
        overflowed = true;
        stdout = "";
        stderr = "";
        stopGroup(child);
      }
    };
    const take = (chunk: Buffer, into: (text: string) => void) => {
      printed += chunk.length;
      if (printed > maxOutputBytes) {
        overflow();
        return;
      }
      into(chunk.toString());
    };
    const lines = output.lines && lineStream(output.lines, maxOutputBytes);
    const stream = (chunk: Buffer, into: NonNullable<typeof lines>) => {
      const state = into.push(chunk);
      if (state === "enough") {
        enough = true;
        stopGroup(child);
      } else if (state === "overflow") {
        overflow();
      }
    };
    child.stdout?.on("data", (chunk: Buffer) =>
      overflowed || enough
        ? undefined
        : lines
          ? stream(chunk, lines)
          : take(chunk, (text) => (stdout += text)),
    );
    child.stderr?.on("data", (chunk: Buffer) => take(chunk, (text) => (stderr += text)));
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      running.delete(child);
      reject(
        error.code === "ENOENT"
          ? new KubectlMissingError(
              `kubectl was not found (looked for "${binary}" on PATH). Install kubectl, or set KUBECTL to its path.`,
            )
          : error,
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (lines && !enough && !overflowed) {
        // The last line, if kubectl ended without a newline.
        lines.end();
      }
      resolve(
        overflowed
          ? {
              code: code || 1,
              stdout: "",
              stderr: `kubectl printed ${lines ? "a line of " : ""}more than ${maxOutputBytes} bytes and was stopped: nothing of its output is taken\n`,
            }
          : enough
            ? { code: 0, stdout: "", stderr }
            : {
                code: code ?? 1,
                stdout,
                stderr:
                  timedOut || signal
                    ? `${stderr}kubectl was stopped by ${signal ?? "SIGTERM"} after ${timeoutMs} ms\n`
                    : stderr,
              },
      );
    });
  });
}

function stopGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), "SIGTERM");
  } catch {
    // Already gone.
  }
}

/** Throws KubectlMissingError unless the kubectl binary can be found (checked before any resource exists). */
export function assertKubectlAvailable(env: NodeJS.ProcessEnv = process.env): void {
  const binary = kubectlBinary(env);
  const candidates = binary.includes("/")
    ? [binary]
    : (env.PATH ?? "")
        .split(":")
        .filter((dir) => dir !== "")
        .map((dir) => `${dir}/${binary}`);
  const found = candidates.some((candidate) => {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return fs.statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
  if (!found) {
    throw new KubectlMissingError(
      `kubectl was not found (looked for "${binary}" on PATH). The connectivity check runs kubectl exec; install kubectl, or set KUBECTL to its path.`,
    );
  }
}
