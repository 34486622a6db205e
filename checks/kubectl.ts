import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import { KubeconfigSource } from "./kubeconfig";

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
 * How to start kubectl for a kubeconfig source. Contents go through a pipe: node's own child pipes
 * are sockets, which /dev/stdin cannot open, so `cat` copies them into a real pipe that kubectl
 * reads as its --kubeconfig (it reads it once; `exec` without -i never reads stdin).
 */
function invocation(
  binary: string,
  args: readonly string[],
  kubeconfig: KubeconfigSource,
  env: NodeJS.ProcessEnv,
): { file: string; argv: string[]; env: NodeJS.ProcessEnv } {
  if (kubeconfig.kind === "content") {
    const rest = { ...env };
    delete rest.KUBECONFIG;
    return {
      file: "/bin/sh",
      argv: ["-c", 'cat | exec "$0" --kubeconfig=/dev/stdin "$@"', binary, ...args],
      env: rest,
    };
  }
  if (kubeconfig.kind === "path") {
    return { file: binary, argv: [...args], env: { ...env, KUBECONFIG: kubeconfig.path } };
  }
  return { file: binary, argv: [...args], env };
}

/**
 * Runs kubectl with the given arguments (no shell between the arguments and kubectl). It talks to
 * the cluster the kubernetes provider uses; kubeconfig contents never appear in argv or on disk.
 * The run is bounded by `timeoutMs`, after which its whole process group is stopped.
 */
export function kubectl(
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
  kubeconfig: KubeconfigSource = { kind: "environment" },
): Promise<KubectlResult> {
  const binary = kubectlBinary(env);
  if (kubeconfig.kind === "content") {
    // The shell would only say "not found" with exit 127: say it as spawn would.
    assertKubectlAvailable(env);
  }
  const how = invocation(binary, args, kubeconfig, env);
  return new Promise((resolve, reject) => {
    const child = spawn(how.file, how.argv, {
      env: how.env,
      stdio: [kubeconfig.kind === "content" ? "pipe" : "ignore", "pipe", "pipe"],
      detached: true,
    });
    running.add(child);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stopGroup(child);
    }, timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    if (kubeconfig.kind === "content" && child.stdin) {
      child.stdin.on("error", () => undefined);
      child.stdin.end(kubeconfig.content);
    }
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
      resolve({
        code: code ?? 1,
        stdout,
        stderr:
          timedOut || signal
            ? `${stderr}kubectl was stopped by ${signal ?? "SIGTERM"} after ${timeoutMs} ms\n`
            : stderr,
      });
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
