import { IDENTITY_PATH, LARGE_PATH } from "../contract/identity";
import {
  httpGet,
  httpLarge,
  httpUrl,
  mtuPing,
  ping,
  PROBE_ATTEMPTS,
  refusedGet,
} from "../probe/commands";
import { Job, msVariable, Probe } from "../probe/script";
import { expectedRequest, ExpectedRequest } from "../witness/request";

/**
 * A path as data: a prober to one server pod at its IP, or to a Service at one of its addresses.
 * Every scenario's paths are probed by the same jobs (pathJobs) and judged by the same judge
 * (judge/paths.ts): the pair's client to nginx is one path, the every-node mesh's N × N are N × N
 * of them. A scenario chooses only the names: the sections its probes print and the probe names
 * its witnessed requests carry.
 */
export interface PathSpec {
  /** The server's address (a pod IP, a Service name, FQDN or ClusterIP). */
  readonly host: string;
  readonly port: number;
  /** Sections, by facet; a facet without a name is not probed. */
  readonly sections: {
    /** The walkthrough's page (`/`), before anything else. */
    readonly page?: string;
    /** Who answered: the identity path, witnessed. */
    readonly identity: string;
    /** Small pings: is the path there at all. */
    readonly ping?: string;
    /** 64 KiB from the large path, witnessed: full-size TCP segments. */
    readonly large?: string;
    /** Pings that fill eth0's MTU. */
    readonly mtu?: string;
  };
  /** The probe names the witnessed requests carry (the servers' logs say which they served). */
  readonly witness: { readonly identity: string; readonly large?: string };
  /** Small pings sent (default 2). */
  readonly pingCount?: number;
  /**
   * A path the policies must refuse: one request (its `identity` section), not retried, which
   * must go unanswered within this many seconds at most, and which no server may have logged.
   */
  readonly refusedWithinSeconds?: number;
  /**
   * The earlier probe of the prober's job (one that must be answered) whose wall time sets the
   * refusal's bound: REFUSAL_RTT_FACTOR times it, at least REFUSAL_FLOOR_MS, at most
   * `refusedWithinSeconds`. Without it, the bound is `refusedWithinSeconds`.
   */
  readonly refusalScaledBy?: string;
}

/**
 * A refusal is waited for ten times as long as the prober's own request to something that answers
 * took in the same run (an answered round trip, handshake and response included), and never less
 * than 300 ms: a path the policies let through answers in a few milliseconds here, across nodes
 * too, and a loaded node's slower answer lengthens the bound with it.
 */
export const REFUSAL_RTT_FACTOR = 10;
export const REFUSAL_FLOOR_MS = 300;

/** A refused path's bound in ms, as the shell arithmetic its probe evaluates. */
export function refusalBoundMs(path: PathSpec): string {
  const max = (path.refusedWithinSeconds ?? 0) * 1000;
  if (path.refusalScaledBy === undefined) {
    return String(max);
  }
  const scaled = `${REFUSAL_RTT_FACTOR} * \${${msVariable(path.refusalScaledBy)}:-${max}}`;
  return `${scaled} < ${REFUSAL_FLOOR_MS} ? ${REFUSAL_FLOOR_MS} : ${scaled} > ${max} ? ${max} : ${scaled}`;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** A path's host checked as an IPv4 address where it goes into a ping: never a shell word. */
export function targetIp(ip: string): string {
  if (!IPV4.test(ip)) {
    throw new Error(`a probed pod's IP must be an IPv4 address, got "${ip}"`);
  }
  return ip;
}

/** The identity request a path sends, exactly as its server must log it. */
export function identityRequest(path: PathSpec, token: string): ExpectedRequest {
  return expectedRequest(path.host, path.port, IDENTITY_PATH, token, path.witness.identity);
}

/** The large request a path sends, where it has one. */
export function largeRequest(path: PathSpec, token: string): ExpectedRequest | undefined {
  return path.witness.large === undefined
    ? undefined
    : expectedRequest(path.host, path.port, LARGE_PATH, token, path.witness.large);
}

function url(request: ExpectedRequest): string {
  return `http://${request.host}${request.uri}`;
}

/**
 * A path's probes: the page, then who answered, then (where it answered as its pod) the large
 * body; beside them the small pings, then (where they were answered) the pings at full size. Two
 * jobs, so the pings' seconds never wait on HTTP's.
 */
export function pathJobs(path: PathSpec, token: string, timeoutSeconds: number): Job[] {
  const t = timeoutSeconds;
  const s = path.sections;
  const probe = (name: string, attempts: number, command: string) => ({
    probe: { name, attempts, command } satisfies Probe,
  });
  const skipped = (after: string) => `not probed: ${after} did not pass`;
  if (path.refusedWithinSeconds !== undefined) {
    const sent = url(identityRequest(path, token));
    return [
      [probe(s.identity, 1, refusedGet(sent, refusalBoundMs(path), path.refusedWithinSeconds))],
    ];
  }
  const http: Job = [
    ...(s.page ? [probe(s.page, PROBE_ATTEMPTS, httpGet(httpUrl(path.host, path.port), t))] : []),
    {
      ...probe(s.identity, PROBE_ATTEMPTS, httpGet(url(identityRequest(path, token)), t)),
      ...(s.page ? { onlyIf: s.page, skipNote: skipped(s.page) } : {}),
    },
    ...(s.large
      ? [
          {
            ...probe(s.large, PROBE_ATTEMPTS, httpLarge(url(largeRequest(path, token)!), t)),
            onlyIf: s.identity,
            skipNote: skipped(s.identity),
          },
        ]
      : []),
  ];
  const pinged = path.pingCount ?? 2;
  const icmp: Job = s.ping
    ? [
        // Not retried: loss is what a ping measures.
        probe(s.ping, 1, ping(targetIp(path.host), pinged, t + pinged)),
        ...(s.mtu
          ? [
              {
                ...probe(s.mtu, 1, mtuPing(path.host, t)),
                onlyIf: s.ping,
                skipNote: skipped(s.ping),
              },
            ]
          : []),
      ]
    : [];
  return icmp.length > 0 ? [http, icmp] : [http];
}

/**
 * A path's probes as one job (HTTP, then the pings): where a scenario bounds how many paths a pod
 * probes at once (the mesh's `parallelism` counts targets), each path is one of them.
 */
export function pathJob(path: PathSpec, token: string, timeoutSeconds: number): Job {
  return pathJobs(path, token, timeoutSeconds).flat();
}

/**
 * The longest a path's probes take, tries and the second between them included: its HTTP and its
 * pings side by side (pathJobs), or one after the other (`asOneJob`, pathJob).
 */
export function pathBoundSeconds(path: PathSpec, timeoutSeconds: number, asOneJob = false): number {
  const retried = PROBE_ATTEMPTS * timeoutSeconds + (PROBE_ATTEMPTS - 1);
  const s = path.sections;
  const http = [s.page, s.identity, s.large].filter(Boolean).length * retried;
  const icmp = s.ping ? timeoutSeconds + (path.pingCount ?? 2) + (s.mtu ? timeoutSeconds : 0) : 0;
  return asOneJob ? http + icmp : Math.max(http, icmp);
}
