import * as os from "node:os";
import * as path from "node:path";

/**
 * Where kubectl gets its kubeconfig from: the environment as it is (KUBECONFIG, ~/.kube/config),
 * a file named by `kubernetes:kubeconfig`, or that key's value being the kubeconfig itself, which
 * reaches kubectl through a pipe and is never written to disk.
 */
export type KubeconfigSource =
  | { readonly kind: "environment" }
  | { readonly kind: "path"; readonly path: string }
  | { readonly kind: "content"; readonly content: string };

/** Whether a `kubernetes:kubeconfig` value is the kubeconfig itself rather than a path to one. */
export function isKubeconfigContent(value: string): boolean {
  return /^\s*(\{|apiVersion:|clusters:|kind:|contexts:|current-context:|users:)/m.test(value);
}

/**
 * Reads a `kubernetes:kubeconfig` value as the kubernetes provider does: a path (`~/` expanded) or
 * the kubeconfig itself; no value leaves kubectl to its environment.
 */
export function kubeconfigSource(value: string | undefined): KubeconfigSource {
  const trimmed = value?.trim();
  if (!trimmed) {
    return { kind: "environment" };
  }
  if (isKubeconfigContent(trimmed)) {
    return { kind: "content", content: value as string };
  }
  return {
    kind: "path",
    path: trimmed.startsWith("~/") ? path.join(os.homedir(), trimmed.slice(2)) : trimmed,
  };
}
