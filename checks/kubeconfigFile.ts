import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Whether a `kubernetes:kubeconfig` value is the kubeconfig itself rather than a path to one. */
export function isKubeconfigContent(value: string): boolean {
  return /^\s*(\{|apiVersion:|clusters:|kind:|contexts:|current-context:|users:)/m.test(value);
}

/**
 * Runs `use` with a kubeconfig file for a `kubernetes:kubeconfig` value, as the kubernetes provider
 * reads it: a path (`~/` expanded) is used as it is; contents go to a private file (0600, in a
 * directory of its own) that is removed when `use` settles, whatever happens.
 */
export async function withKubeconfigFile<T>(
  value: string,
  use: (file: string) => Promise<T>,
): Promise<T> {
  const trimmed = value.trim();
  if (!isKubeconfigContent(trimmed)) {
    return use(trimmed.startsWith("~/") ? path.join(os.homedir(), trimmed.slice(2)) : trimmed);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-kubeconfig-"));
  try {
    const file = path.join(dir, "kubeconfig.yaml");
    fs.writeFileSync(file, value, { mode: 0o600 });
    return await use(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
