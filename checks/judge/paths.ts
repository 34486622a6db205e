import { LARGE_BYTES } from "../contract/identity";
import { PathOutcome } from "../contract/meshTypes";
import { identityRequest, largeRequest, PathSpec } from "../plan/paths";
import { parseWget } from "../probe/parsers";
import { Section } from "../probe/script";
import { Claim, Verdict } from "../witness/witness";
import type { ServerSide } from "../witness/sides";
import {
  checkIdentity,
  ExpectedServer,
  IdentityOutcome,
  judgeLarge,
  judgePing,
  judgeRefusal,
  LargeOutcome,
  PingOutcome,
  RefusalOutcome,
  triesNote,
} from "./probes";

/**
 * The one judge of a path (plan/paths.ts): the pair's client to nginx and every cell of the
 * every-node matrix are read here, facet by facet, into one judgement; the scenarios' checks are
 * views of it. So a rule (the page and who served it, no redirect, the full-size packets, what the
 * server must have logged) holds for every path of every scenario.
 */

/**
 * How an HTTP check fails when something answers that is not the server meant: another UID, a
 * redirect elsewhere, an answer without end, an answer the server never logged, or logged from
 * another sender (a relay).
 */
export const IMPOSTOR = [
  "wrong-server",
  "redirect",
  "oversized",
  "not-served",
  "other-request",
  "other-sender",
];

/** HTTP along a path: the page (where probed) and who served it. */
export interface HttpJudgement extends Omit<IdentityOutcome, "failure"> {
  /** How it failed: as the prober saw it, or as the server's log tells (witnessPath). */
  readonly failure?: IdentityOutcome["failure"] | WitnessFailure;
  readonly ms: number;
  /** Tries of the first probe, and of the identity probe. */
  readonly tries: number;
}

/** A path, judged. */
export interface PathJudgement {
  readonly spec: PathSpec;
  /** Where the path leads, as `host:port`. */
  readonly target: string;
  readonly http: HttpJudgement;
  /** Small pings, where the path has them. */
  readonly small?: PingOutcome;
  /** Each facet's section, as the prober printed it. */
  readonly probed: Readonly<Partial<Record<keyof PathSpec["sections"], Section>>>;
  /** The large body, where probed. */
  readonly large?: LargeOutcome;
  /** The pings at full size, where the path has them. */
  readonly full?: PingOutcome;
  /** pass, mtu (small packets pass, full-size ones do not) or fail. */
  readonly outcome: Exclude<PathOutcome, "absent">;
  /** Wall time of its probes, in milliseconds. */
  readonly ms: number;
  /**
   * What the server must have logged: every witnessed request the prober reports as served
   * (witness/sides.ts applies the servers' logs to them).
   */
  readonly claims: readonly Claim[];
  /** The servers' side of its claims, once their logs are read (witnessPath). */
  readonly side?: ServerSide;
  /** For a path that must be refused: how it was (see judgeRefusal). */
  readonly refusal?: RefusalOutcome;
}

/** The page where the path fetches it, then who served it. */
function judgeHttp(
  page: Section | undefined,
  identity: Section | undefined,
  path: PathSpec,
  target: string,
  expected: ExpectedServer,
): HttpJudgement {
  const ms = (page?.ms ?? 0) + (identity?.ms ?? 0);
  if (path.sections.page) {
    if (!page) {
      return {
        ok: false,
        failure: "other",
        detail: `the probe for ${target} produced no output (the script stopped early)`,
        ms: 0,
        tries: 0,
      };
    }
    const fetched = parseWget(page.rc, page.output, target);
    if (!fetched.ok) {
      return { ...fetched, detail: fetched.detail + triesNote(page, false), ms, tries: page.tries };
    }
    const who = checkIdentity(identity, target, expected);
    return {
      ...who,
      detail: `${fetched.detail}${triesNote(page, true)}, ${who.detail}${triesNote(identity, who.ok)}`,
      ms,
      tries: page.tries,
    };
  }
  const who = checkIdentity(identity, path.host, expected);
  return { ...who, ms, tries: identity?.tries ?? 0 };
}

/**
 * Judges one path from its prober's sections: who answered (the server `expected`), its small and
 * full-size packets, and the claims its server's log must bear out. `sources` are the addresses
 * the prober's requests may come from (its pod IP; a node's own addresses).
 */
export function judgePath(
  sections: ReadonlyMap<string, Section>,
  path: PathSpec,
  expected: ExpectedServer,
  claim: { readonly server: string; readonly token: string; readonly sources?: readonly string[] },
): PathJudgement {
  const s = path.sections;
  const at = (name: string | undefined) => (name ? sections.get(name) : undefined);
  const target = `${path.host}:${path.port}`;
  const http = judgeHttp(at(s.page), at(s.identity), path, target, expected);
  const small = s.ping ? judgePing(at(s.ping), path.host, path.pingCount ?? 2) : undefined;
  const large = s.large ? judgeLarge(at(s.large)) : undefined;
  const full = s.mtu ? judgePing(at(s.mtu), path.host) : undefined;
  const smallOk = small?.ok ?? http.ok;
  // Something answered that is not the server meant: the network carried it, the server side is
  // what failed (the witness makes a pass the server never logged the same).
  const outcome = IMPOSTOR.includes(String(http.failure))
    ? "unserved"
    : !http.ok && !smallOk
      ? "fail"
      : (http.ok && large && !large.ok) || (small?.ok && full && !full.ok)
        ? "mtu"
        : http.ok && smallOk
          ? "pass"
          : "fail";
  const ms = [s.page, s.identity, s.ping, s.large, s.mtu].reduce(
    (sum, name) => sum + (at(name)?.ms ?? 0),
    0,
  );
  const witnessed = (request: Claim["request"], probe: string): Claim => ({
    probe,
    server: claim.server,
    request,
    expect: "served",
    ...(claim.sources && claim.sources.length > 0 ? { sources: claim.sources } : {}),
  });
  const largeSent = largeRequest(path, claim.token);
  const claims = [
    ...(http.ok ? [witnessed(identityRequest(path, claim.token), path.witness.identity)] : []),
    ...(http.ok && large?.ok && largeSent && path.witness.large
      ? [witnessed(largeSent, path.witness.large)]
      : []),
  ];
  const probed = Object.fromEntries(
    Object.entries(s).flatMap(([facet, name]) => {
      const section = at(name);
      return section ? [[facet, section]] : [];
    }),
  );
  return {
    spec: path,
    target,
    probed,
    http,
    ...(small ? { small } : {}),
    ...(large ? { large } : {}),
    ...(full ? { full } : {}),
    outcome,
    ms,
    claims,
  };
}

/**
 * Judges a path that must be refused, from its prober's section: unanswered within its bound, and
 * the refusal the server side's doing (the prober `alive`, no policy of its own on its egress,
 * `egressBy`, a server behind the path: `unbacked` says why there is none); and, whatever it saw, the claim that
 * no server logged the request.
 */
export function judgeRefusedPath(
  sections: ReadonlyMap<string, Section>,
  path: PathSpec,
  prober: { readonly name: string; readonly alive: boolean; readonly egressBy?: readonly string[] },
  unbacked: string | undefined,
  claim: { readonly server: string; readonly token: string },
): PathJudgement {
  const section = sections.get(path.sections.identity);
  const target = `${path.host}:${path.port}`;
  const refusal = judgeRefusal(
    section,
    target,
    prober.name,
    prober.alive,
    prober.egressBy,
    unbacked,
  );
  return {
    spec: path,
    target,
    probed: section ? { identity: section } : {},
    http: {
      ok: refusal.ok,
      detail: refusal.detail,
      ms: section?.ms ?? 0,
      tries: section?.tries ?? 0,
    },
    outcome: refusal.ok ? "pass" : "fail",
    ms: section?.ms ?? 0,
    claims: [
      {
        probe: path.witness.identity,
        server: claim.server,
        request: identityRequest(path, claim.token),
        expect: "refused",
      },
    ],
    refusal,
  };
}

/** The large body's words in a path's detail. */
export function largeDetail(large: LargeOutcome | undefined, ms: number): string {
  return large?.ok
    ? `${LARGE_BYTES} bytes in ${ms} ms`
    : `the ${LARGE_BYTES}-byte response ${large?.detail ?? "was not tried"}`;
}

/** How a failed witness verdict names the failure, in a check's facts. */
type WitnessFailure = "not-served" | "other-request" | "other-sender";
const FAILURE: Partial<Record<Verdict["kind"], WitnessFailure>> = {
  elsewhere: "not-served",
  "other-request": "other-request",
  "other-sender": "other-sender",
};

/**
 * What the witness reads and rewrites of a judged path: a whole judgement, or the compact form a
 * scenario keeps of it (the every-node matrix's cells).
 */
export interface Witnessable {
  readonly http: Pick<HttpJudgement, "ok" | "failure">;
  readonly outcome: PathJudgement["outcome"];
  readonly claims: readonly Claim[];
  readonly side?: ServerSide;
  readonly refusal?: RefusalOutcome;
}

/**
 * A path with its servers' side: where the server meant did not log what the prober reports it
 * served (exactly, from the prober's own address), the path is `unserved` and its HTTP fails.
 */
export function witnessPath<P extends Witnessable>(
  path: P,
  sideOf: (claims: readonly Claim[]) => ServerSide | undefined,
): P {
  const side = sideOf(path.claims);
  if (!side) {
    return path;
  }
  if (side.state !== "notServed") {
    return { ...path, side };
  }
  if (path.refusal) {
    // A server logged what had to be refused: it got through.
    return {
      ...path,
      side,
      outcome: "fail",
      http: { ...path.http, ok: false },
      refusal: { ...path.refusal, ok: false, got: "through" },
    };
  }
  const failure = FAILURE[side.verdict.kind] ?? "not-served";
  return { ...path, side, outcome: "unserved", http: { ...path.http, ok: false, failure } };
}

/** What the server's side adds to a check's facts: what its log showed, and why it failed. */
export function witnessFacts(side: ServerSide): Record<string, string> {
  const { verdict } = side;
  const serverSaw =
    verdict.kind === "unreadable"
      ? "unreadable"
      : verdict.kind === "confirmed"
        ? verdict.remotes.join(",") || "nothing"
        : verdict.kind === "elsewhere"
          ? "nothing"
          : verdict.seen;
  return {
    serverSaw,
    ...(side.state !== "notServed"
      ? {}
      : verdict.kind === "got-through"
        ? { got: "through" }
        : { failure: FAILURE[verdict.kind] ?? "not-served" }),
  };
}
