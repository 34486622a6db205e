import * as os from "node:os";
import * as path from "node:path";
import { isScalar, parseDocument } from "yaml";

/**
 * Where kubectl gets its kubeconfig from: the environment as it is (KUBECONFIG, ~/.kube/config),
 * a file named by `kubernetes:kubeconfig`, or that key's value being the kubeconfig itself, which
 * reaches kubectl through a pipe and is never written to disk.
 */
export type KubeconfigSource =
  | { readonly kind: "environment" }
  | { readonly kind: "path"; readonly path: string }
  | { readonly kind: "content"; readonly content: string };

/**
 * Whether a `kubernetes:kubeconfig` value is the kubeconfig itself rather than a path to one. A
 * path is one line that YAML reads as a single scalar; anything else is a document: a mapping or a
 * list (YAML or JSON, whatever its keys and their quoting), several lines, or text YAML cannot
 * parse. A doubtful value is taken for a document: as contents it reaches kubectl through a pipe,
 * where a path would be put in KUBECONFIG, in the open.
 */
export function isKubeconfigContent(value: string): boolean {
  const text = value.trim();
  if (text.includes("\n")) {
    return true;
  }
  const document = parseDocument(text);
  return document.errors.length > 0 || !isScalar(document.contents);
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
