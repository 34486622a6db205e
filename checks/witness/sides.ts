import { Claim, fails, LogEvidence, Verdict, verdictOf } from "./witness";

/**
 * The servers' verdicts (witness/witness.ts, the one judge of every scenario's claims) applied to
 * every scenario's results, one way: a result's claims are judged against the logs, the worst
 * verdict decides, and its words join the result's evidence. A pass the server meant did not log
 * exactly as sent, from the prober's own address, fails (a pair check fails naming why; a mesh
 * path becomes `unserved`); a refusal a server logged fails; where a log cannot be read, the
 * result says it stands on the prober's word alone.
 */

/** How the server's side left a result: confirmed, on the prober's word alone, or failed. */
export type WitnessState = "witnessed" | "clientsWordAlone" | "notServed";

/** The server's side of one result: the state its worst claim left it in, and what that says. */
export interface ServerSide {
  readonly state: WitnessState;
  /** The verdict that decided. */
  readonly verdict: Verdict;
  /** The verdicts' words, each once (worded when read: most results of a big run never are). */
  readonly notes: string;
}

/**
 * How the claims behind one result leave it, each judged as it is asked for (its verdict settled
 * as its server's log was read, or judged against what remains): undefined where no claim stands
 * behind it.
 */
export function serverSides<C extends Claim>(
  evidence: LogEvidence,
  describe: (claim: C, verdict: Verdict) => string,
): (claims: readonly C[]) => ServerSide | undefined {
  return (claims) => {
    const found = claims.map((claim) => ({ claim, verdict: verdictOf(claim, evidence) }));
    if (found.length === 0) {
      return undefined;
    }
    const failed = found.filter((f) => fails(f.verdict));
    const alone = found.filter((f) => f.verdict.kind === "unreadable");
    const [state, shown]: [WitnessState, typeof found] =
      failed.length > 0
        ? ["notServed", failed]
        : alone.length > 0
          ? ["clientsWordAlone", alone]
          : ["witnessed", found];
    return {
      state,
      verdict: shown[0].verdict,
      get notes() {
        return [...new Set(shown.map((f) => describe(f.claim, f.verdict)))].join("; ");
      },
    };
  };
}
