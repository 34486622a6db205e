import { onePiece } from "../contract/text";
import { ServedRequest } from "./accessLog";
import { ExpectedRequest } from "./request";

/**
 * The server's side of every HTTP probe of every scenario. A prober's report is one witness: a
 * client image that lies, or something else at a server's address answering with that server's
 * UID (a UID is no secret), would pass it. So every request that matters carries the run's token
 * and a probe name, and after the probes the runner reads the servers' own access logs. A claim
 * holds only where the server it was meant for logged exactly that request (method, Host, URI
 * with the token and probe name, status 200) from the prober's own address; a refusal holds only
 * where no server logged the request at all.
 */

/** What a probe's report asks the servers' logs to confirm. */
export interface Claim {
  /** The probe name its request carried. */
  readonly probe: string;
  /** The server (a key of the logs: a pod's or a node's name) whose log must show it. */
  readonly server: string;
  /** The request exactly as it was sent. */
  readonly request: ExpectedRequest;
  /** The addresses it may come from: the prober's pod IP, or a node's own addresses. */
  readonly sources?: readonly string[];
  /** A pass the server must have served, or a refusal nothing may have served. */
  readonly expect: "served" | "refused";
}

/** Each server's requests of this run by probe, or why its log could not be read. */
export type ServerLog = ReadonlyMap<string, readonly ServedRequest[]> | Error;

/** The logs of every server a run's claims name, by server. */
export type ServerLogs = ReadonlyMap<string, ServerLog>;

/**
 * What the servers' logs say of a run's claims: the verdicts their own server's log settled as it
 * was read, and what remains of every log (the requests none of its own claims settled, or why it
 * could not be read), which judges the rest: a refusal, a pass its server never logged. So a
 * thousand servers' logs are never all held at once.
 */
export interface LogEvidence {
  /** Verdicts by probe name. */
  readonly settled: ReadonlyMap<string, Verdict>;
  readonly logs: ServerLogs;
}

/** Evidence from logs held whole: nothing settled yet, every claim judged against them. */
export function logEvidence(logs: ServerLogs): LogEvidence {
  return { settled: new Map(), logs };
}

/** A claim's verdict: settled as its server's log was read, or judged against what remains. */
export function verdictOf(claim: Claim, evidence: LogEvidence): Verdict {
  return evidence.settled.get(claim.probe) ?? judgeClaim(claim, evidence.logs);
}

/** How the logs judge one claim. */
export type Verdict =
  /** Served: logged exactly, from the prober. Refused: logged by no server. */
  | { readonly kind: "confirmed"; readonly seen: string; readonly remotes: readonly string[] }
  /** The log could not be read: the prober's word alone. */
  | { readonly kind: "unreadable"; readonly why: string }
  /** A pass the server meant never logged (another server may have). */
  | { readonly kind: "elsewhere"; readonly loggedBy: readonly string[] }
  /** Logged under the probe's name, but not the request that was sent (method, Host, URI, status). */
  | { readonly kind: "other-request"; readonly seen: string }
  /** The exact request, logged from another address than the prober's. */
  | { readonly kind: "other-sender"; readonly seen: string }
  /** A refusal that a server logged: the request got through. */
  | { readonly kind: "got-through"; readonly seen: string };

/** Where `requests` came from and how they were answered, as evidence. */
export function sources(requests: readonly ServedRequest[]): string {
  return onePiece(
    [
      ...new Set(
        requests.map(
          (r) => `${r.remote} (${r.method} ${r.host}${r.uri.split("?")[0]}, status ${r.status})`,
        ),
      ),
    ].join(", "),
  );
}

function exact(request: ServedRequest, expected: ExpectedRequest): boolean {
  return (
    request.method === expected.method &&
    request.host === expected.host &&
    request.uri === expected.uri &&
    request.status === 200
  );
}

/** Judges one claim against the logs. */
export function judgeClaim(claim: Claim, logs: ServerLogs): Verdict {
  // Every server's log, read only where the claim's own server does not settle it: a thousand
  // nodes' claims each walking a thousand logs would be a million walks.
  const readable = () =>
    [...logs].flatMap(([server, log]) =>
      log instanceof Error ? [] : [[server, log.get(claim.probe) ?? []] as const],
    );
  if (claim.expect === "refused") {
    const through = readable().flatMap(([, requests]) => requests);
    if (through.length > 0) {
      return { kind: "got-through", seen: sources(through) };
    }
    const log = logs.get(claim.server);
    return log instanceof Error || log === undefined
      ? { kind: "unreadable", why: log ? firstLine(log) : "not read" }
      : { kind: "confirmed", seen: "nothing", remotes: [] };
  }
  const log = logs.get(claim.server);
  if (log === undefined || log instanceof Error) {
    return { kind: "unreadable", why: log ? firstLine(log) : "not read" };
  }
  const logged = log.get(claim.probe) ?? [];
  if (logged.length === 0) {
    const loggedBy = readable()
      .filter(([server, requests]) => server !== claim.server && requests.length > 0)
      .map(([server]) => server);
    return { kind: "elsewhere", loggedBy };
  }
  const matching = logged.filter((request) => exact(request, claim.request));
  if (matching.length === 0) {
    return { kind: "other-request", seen: sources(logged) };
  }
  const allowed = claim.sources;
  if (allowed && !matching.some((request) => allowed.includes(request.remote))) {
    return { kind: "other-sender", seen: sources(matching) };
  }
  return {
    kind: "confirmed",
    seen: sources(matching),
    remotes: [...new Set(matching.map((request) => request.remote))],
  };
}

/** Whether a verdict fails its claim. */
export function fails(verdict: Verdict): boolean {
  return verdict.kind !== "confirmed" && verdict.kind !== "unreadable";
}

/**
 * What a verdict says in a check's detail. `server` names the server meant, `prober` the sender,
 * `what` the request ("this request", "the 64 KiB request").
 */
export function describeVerdict(
  verdict: Verdict,
  server: string,
  prober: string,
  what = "this request",
): string {
  switch (verdict.kind) {
    case "confirmed":
      return verdict.seen === "nothing"
        ? `no server logged ${what}: none arrived`
        : `${server} logged it from ${verdict.seen}`;
    case "unreadable":
      return `${server}'s log could not be read (${verdict.why}): the client's word alone`;
    case "elsewhere":
      return `but ${server} never logged ${what}: the answer came from elsewhere${
        verdict.loggedBy.length > 0 ? ` (${verdict.loggedBy.join(", ")} logged it instead)` : ""
      }`;
    case "other-request":
      return `but ${server} logged ${what} only as ${verdict.seen}, not as it was sent: something between rewrote or redirected it`;
    case "other-sender":
      return `but ${server} logged ${what} from ${verdict.seen}, not from ${prober}: another sender made it (a relay or proxy at the probed address)`;
    case "got-through":
      return `but ${what} was logged from ${verdict.seen}: it got through`;
  }
}

/**
 * The servers whose log a re-read could change a verdict of: readable, but without a request a
 * prober reported as served (nginx logs as it finishes, the kubelet serves it a moment later).
 */
export function awaitingLogs(claims: readonly Claim[], logs: ServerLogs): string[] {
  return [
    ...new Set(
      claims
        .filter((claim) => {
          const log = logs.get(claim.server);
          return (
            claim.expect === "served" &&
            log !== undefined &&
            !(log instanceof Error) &&
            !log.has(claim.probe)
          );
        })
        .map((claim) => claim.server),
    ),
  ];
}

function firstLine(error: Error): string {
  return error.message.split("\n")[0];
}
