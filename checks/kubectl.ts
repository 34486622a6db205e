import { spawn } from "node:child_process";
import * as fs from "node:fs";

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

/**
 * Runs kubectl with the given arguments and no shell. It inherits KUBECONFIG from the environment,
 * so it talks to the cluster the kubernetes provider uses; kubeconfig contents never appear in argv.
 */
export function kubectl(
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<KubectlResult> {
  const binary = kubectlBinary(env);
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutMs,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT"
          ? new KubectlMissingError(
              `kubectl was not found (looked for "${binary}" on PATH). Install kubectl, or set KUBECTL to its path.`,
            )
          : error,
      );
    });
    child.on("close", (code, signal) => {
      resolve({
        code: code ?? 1,
        stdout,
        stderr: signal
          ? `${stderr}kubectl was stopped by ${signal} after ${timeoutMs} ms\n`
          : stderr,
      });
    });
  });
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
