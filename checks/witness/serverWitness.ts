import * as crypto from "node:crypto";
import { CheckName, CheckPlan, CheckResult } from "../contract/types";

/**
 * The server's side of every HTTP check. The client's report alone is one witness: a client image
 * that lies, or a pod that replays nginx-server's UID (a UID is no secret), could pass it. So every
 * request that matters carries this run's witness token, and nginx-server's own access log, read
 * from the API after the probes, must show it: a pass the server never served fails, and a stranger
 * the server did serve fails even if its client timed out. Neither pod alone can fake both sides.
 */

/** The query parameter that carries the token. */
export const WITNESS_PARAM = "pod-to-pod-run";

/**
 * This run's token, derived one-way from the run's nonce: the server learns the token from the
 * request, never the nonce that marks the script's own output lines.
 */
export function witnessToken(nonce: string): string {
  return crypto
    .createHash("sha256")
    .update(`pod-to-pod witness ${nonce}`)
    .digest("hex")
    .slice(0, 32);
}

/**
 * `path` with the token and the probe's name, so each logged request says which probe sent it. The
 * name is URL-encoded: the mesh's names carry node names and arrows (`pod/vm->p2p-node2`).
 */
export function witnessedPath(path: string, token: string, probe: string): string {
  return `${path}?${WITNESS_PARAM}=${token}&probe=${encodeURIComponent(probe)}`;
}

/** One request nginx logged, in the lab's log format (components/nginxConf.ts). */
export interface ServedRequest {
  /** Who it came from, as nginx saw the connection. */
  readonly remote: string;
  /** The request URI, query included. */
  readonly uri: string;
  /** The HTTP status nginx answered with. */
  readonly status: number;
}

/**
 * Reads `kubectl logs` of the nginx pod: the JSON access-log lines, one per request. Anything else
 * (nginx's error log shares the console) is skipped.
 */
export function parseAccessLog(text: string): ServedRequest[] {
  const requests: ServedRequest[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) {
      continue;
    }
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (typeof entry.remote === "string" && typeof entry.uri === "string") {
        requests.push({ remote: entry.remote, uri: entry.uri, status: Number(entry.status) });
      }
    } catch {
      // A line cut short, or not ours: not a request nginx logged in the lab's format.
    }
  }
  return requests;
}

/** The requests of this run, by the probe that sent them. */
export function requestsByProbe(
  requests: readonly ServedRequest[],
  token: string,
): Map<string, ServedRequest[]> {
  const byProbe = new Map<string, ServedRequest[]>();
  for (const request of requests) {
    const query = new URLSearchParams(request.uri.split("?")[1] ?? "");
    const probe = query.get("probe");
    if (query.get(WITNESS_PARAM) === token && probe) {
      byProbe.set(probe, [...(byProbe.get(probe) ?? []), request]);
    }
  }
  return byProbe;
}

/** The requests of this run under any of its tokens (one per script the run sent), by probe. */
export function requestsOfRun(
  requests: readonly ServedRequest[],
  tokens: readonly string[],
): Map<string, ServedRequest[]> {
  const byProbe = new Map<string, ServedRequest[]>();
  for (const token of tokens) {
    for (const [probe, served] of requestsByProbe(requests, token)) {
      byProbe.set(probe, [...(byProbe.get(probe) ?? []), ...served]);
    }
  }
  return byProbe;
}

/** How often, and how far apart, a server's log is read again for a request not logged yet. */
export const LOG_REREADS = 4;
export const LOG_REREAD_MS = 250;
/** How far before the run a log is read from: room for a clock the node and this disagree on. */
export const LOG_SKEW_MS = 5 * 60_000;

/** `--since-time` for a run that started at `startMs`: the run's start, less the clock's margin. */
export function logSinceTime(startMs: number): string {
  return new Date(startMs - LOG_SKEW_MS).toISOString();
}

/**
 * Reads a log until nothing awaits it. nginx logs a request as it finishes it, and the kubelet
 * serves the log from a file a moment later: a pass whose request is not there yet is read again,
 * briefly, before it counts as never served.
 */
export async function readLogSettled<T>(
  read: () => Promise<T>,
  awaits: (log: T) => boolean,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  let log = await read();
  for (let i = 0; i < LOG_REREADS && awaits(log); i++) {
    await sleep(LOG_REREAD_MS);
    log = await read();
  }
  return log;
}

/** Which probe's request stands behind which check: the client's identity fetches, the stranger's. */
export const CLIENT_WITNESSED: ReadonlyArray<[CheckName, string]> = [
  ["pod-ip-http", "pod-ip-identity"],
  ["service-dns-http", "service-dns-identity"],
  ["service-fqdn-http", "service-fqdn-identity"],
  ["service-clusterip-http", "service-clusterip-identity"],
];
export const STRANGER_WITNESSED: ReadonlyArray<[CheckName, string]> = [
  ["stranger-to-pod-ip", "stranger-pod-ip"],
  ["stranger-to-service", "stranger-service"],
];

/** What the server's log says of one run: its requests by probe, or why it could not be read. */
export type ServerLog = ReadonlyMap<string, readonly ServedRequest[]> | Error;

/** Where `requests` came from and how nginx answered, as evidence: `10.42.0.5 (status 200)`. */
export function sources(requests: readonly ServedRequest[]): string {
  return [...new Set(requests.map((r) => `${r.remote} (status ${r.status})`))].join(", ");
}

/** A client check with the server's word added: a pass nginx-server never served fails. */
function witnessClient(
  result: CheckResult,
  requests: readonly ServedRequest[],
  plan: CheckPlan,
): CheckResult {
  if (requests.length === 0) {
    return result.ok
      ? {
          ...result,
          ok: false,
          detail: `${result.detail}; but ${plan.serverPod}'s access log has no request of this run from that probe: the answer did not come from ${plan.serverPod}`,
          facts: { ...result.facts, serverSaw: "nothing", failure: "not-served" },
        }
      : result;
  }
  const seenFrom = [...new Set(requests.map((r) => r.remote))].join(",");
  return {
    ...result,
    detail: `${result.detail}; ${plan.serverPod} logged it from ${sources(requests)}`,
    facts: { ...result.facts, serverSaw: seenFrom },
  };
}

/** A stranger check with the server's word added: a request nginx-server served got through. */
function witnessStranger(
  result: CheckResult,
  requests: readonly ServedRequest[],
  plan: CheckPlan,
): CheckResult {
  if (requests.length > 0) {
    return {
      ...result,
      ok: false,
      detail: `${result.detail}; but ${plan.serverPod} logged the stranger's request from ${sources(requests)}: the policies let it through`,
      facts: { ...result.facts, got: "through", serverSaw: sources(requests) },
    };
  }
  return result.ok
    ? {
        ...result,
        detail: `${result.detail}; ${plan.serverPod}'s access log confirms none arrived`,
        facts: { ...result.facts, serverSaw: "nothing" },
      }
    : result;
}

/**
 * Adds the server's side to the HTTP and stranger checks. When the log cannot be read (a user who
 * may not read pod logs), the checks stand on the client's word, and each says so.
 */
export function applyServerWitness(
  results: readonly CheckResult[],
  log: ServerLog,
  plan: CheckPlan,
): CheckResult[] {
  type Witness = (
    result: CheckResult,
    requests: readonly ServedRequest[],
    plan: CheckPlan,
  ) => CheckResult;
  const witnessed = new Map<CheckName, { probe: string; witness: Witness }>([
    ...CLIENT_WITNESSED.map(
      ([check, probe]) => [check, { probe, witness: witnessClient }] as const,
    ),
    ...STRANGER_WITNESSED.map(
      ([check, probe]) => [check, { probe, witness: witnessStranger }] as const,
    ),
  ]);
  return results.map((result) => {
    const entry = witnessed.get(result.name);
    if (!entry) {
      return result;
    }
    if (log instanceof Error) {
      return {
        ...result,
        detail: `${result.detail}; ${plan.serverPod}'s access log could not be read (${log.message.split("\n")[0]}): the client's word alone`,
        facts: { ...result.facts, serverSaw: "unreadable" },
      };
    }
    return entry.witness(result, log.get(entry.probe) ?? [], plan);
  });
}

/** Whether a re-read of the log could change the verdict: a pass whose request is not logged yet. */
export function awaitsServerLog(results: readonly CheckResult[], log: ServerLog): boolean {
  if (log instanceof Error) {
    return false;
  }
  return CLIENT_WITNESSED.some(
    ([check, probe]) => results.find((r) => r.name === check)?.ok && !log.get(probe)?.length,
  );
}
