/**
 * The HTTP requests a kubectl run sent, from its own log at -v=6: one line per request, with its
 * verb and URL (`"Response" verb="GET" url="https://…"` since Kubernetes 1.30, `GET https://… 200
 * OK` before). Used to count what the runner asks a real API server (kwokMeshServer.ts).
 */

const REQUEST_LINE = /\bverb="(\w+)" url="([^"]+)"|\] (GET|POST|PUT|PATCH|DELETE) (https?:\/\/\S+)/;

/**
 * A request's verb and what it asked for (`GET pods`, `PATCH configmaps`, `GET /api` for
 * discovery), or undefined where the line is not a request's.
 */
export function requestOf(line: string): string | undefined {
  const found = REQUEST_LINE.exec(line);
  if (!found) {
    return undefined;
  }
  const url = new URL(found[2] ?? found[4]);
  const parts = url.pathname.split("/").filter(Boolean);
  // /api/v1/namespaces/ns/pods, /apis/apps/v1/namespaces/ns/daemonsets/name: the resource is the
  // part after the namespace (or after the version, when cluster-scoped).
  const version = parts[0] === "api" ? 2 : parts[0] === "apis" ? 3 : -1;
  const rest = version < 0 ? [] : parts.slice(version);
  const resource = rest[0] === "namespaces" && rest.length > 2 ? rest[2] : rest[0];
  return `${found[1] ?? found[3]} ${resource ?? url.pathname}`;
}

/** kubectl's default `--chunk-size`: a list asks for this many items a request. */
export const KUBECTL_CHUNK_SIZE = 500;

/** The requests one `kubectl get` list of `items` objects sends: a page each 500, at least one. */
export function listRequests(items: number): number {
  return Math.max(1, Math.ceil(items / KUBECTL_CHUNK_SIZE));
}
