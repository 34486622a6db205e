import { ClientProbes, MeshClaim, MeshEvaluation } from "./meshEvaluate";
import { IDENTITY_PATH } from "../contract/identity";
import { MeshLayout, MeshPath, MeshServerWitness } from "../contract/meshTypes";
import { CheckName, CheckPlan, CheckResult } from "../contract/types";
import { meshProbe } from "../plan/meshProbes";
import { serviceTargets } from "../plan/pairProbes";
import { expectedRequest } from "../witness/request";
import { Claim, describeVerdict, fails, judgeClaim, ServerLogs, Verdict } from "../witness/witness";

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
  /** The verdicts' words, each once. */
  readonly notes: string;
}

/** A claim, its verdict and its words. */
interface Judged<C extends Claim> {
  readonly claim: C;
  readonly verdict: Verdict;
}

/**
 * Judges every claim once, and returns how the claims behind one result (by their probe names)
 * leave it: undefined where no claim stands behind it.
 */
export function serverSides<C extends Claim>(
  claims: readonly C[],
  logs: ServerLogs,
  describe: (claim: C, verdict: Verdict) => string,
): (probes: readonly string[]) => ServerSide | undefined {
  const byProbe = new Map<string, Judged<C>>(
    claims.map((claim) => [claim.probe, { claim, verdict: judgeClaim(claim, logs) }]),
  );
  return (probes) => {
    const found = probes.flatMap((probe) => byProbe.get(probe) ?? []);
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
    const notes = [...new Set(shown.map((f) => describe(f.claim, f.verdict)))].join("; ");
    return { state, verdict: shown[0].verdict, notes };
  };
}

/** The pair's claim, and the check it stands behind. */
type PairClaim = Claim & { readonly check: CheckName };

/**
 * What the pair's results ask nginx-server's log to confirm: every client pass (the identity
 * request, exactly as sent, from the client's own address) and every stranger refusal (no request
 * of the stranger's logged at all).
 */
export function pairClaims(
  results: readonly CheckResult[],
  plan: CheckPlan,
  clientToken: string,
  strangerToken: string,
): PairClaim[] {
  const served: Array<[CheckName, string, string, number]> = [
    ["pod-ip-http", "pod-ip-identity", plan.serverPodIp, plan.serverPort],
    ...serviceTargets(plan).map(([check, probe, host]): [CheckName, string, string, number] => [
      check as CheckName,
      probe,
      host,
      plan.servicePort,
    ]),
  ];
  const refused: Array<[CheckName, string, string, number]> = [
    ["stranger-to-pod-ip", "stranger-pod-ip", plan.serverPodIp, plan.serverPort],
    ["stranger-to-service", "stranger-service", plan.serviceClusterIp, plan.servicePort],
  ];
  const passed = (check: CheckName) => results.some((r) => r.name === check && r.ok);
  const present = (check: CheckName) => results.some((r) => r.name === check);
  const claim =
    (expect: "served" | "refused", token: string, path: string) =>
    ([check, probe, host, port]: [CheckName, string, string, number]): PairClaim => ({
      check,
      probe,
      server: plan.serverPod,
      request: expectedRequest(host, port, path, token, probe),
      ...(expect === "served" ? { sources: [plan.clientPodIp] } : {}),
      expect,
    });
  return [
    ...served.filter(([check]) => passed(check)).map(claim("served", clientToken, IDENTITY_PATH)),
    ...refused.filter(([check]) => present(check)).map(claim("refused", strangerToken, "/")),
  ];
}

const FAILURE: Partial<Record<Verdict["kind"], string>> = {
  elsewhere: "not-served",
  "other-request": "other-request",
  "other-sender": "other-sender",
};

/** The pair's results with nginx-server's side added to each check a claim stands behind. */
export function applyVerdicts(
  results: readonly CheckResult[],
  claims: readonly PairClaim[],
  logs: ServerLogs,
  plan: CheckPlan,
): CheckResult[] {
  const sideOf = serverSides(claims, logs, (claim, verdict) =>
    claim.expect === "served"
      ? describeVerdict(verdict, plan.serverPod, `${plan.clientPod} (${plan.clientPodIp})`)
      : describeVerdict(verdict, plan.serverPod, "the stranger", "the stranger's request"),
  );
  return results.map((result) => {
    const claim = claims.find((c) => c.check === result.name);
    const side = claim && sideOf([claim.probe]);
    if (!side) {
      return result;
    }
    const { verdict } = side;
    const serverSaw =
      verdict.kind === "unreadable"
        ? "unreadable"
        : verdict.kind === "confirmed"
          ? verdict.remotes.join(",") || "nothing"
          : verdict.kind === "elsewhere"
            ? "nothing"
            : verdict.seen;
    const failed = side.state === "notServed";
    return {
      ...result,
      ok: result.ok && !failed,
      detail: `${result.detail}; ${side.notes}`,
      facts: {
        ...result.facts,
        serverSaw,
        ...(!failed
          ? {}
          : verdict.kind === "got-through"
            ? { got: "through" }
            : { failure: FAILURE[verdict.kind] ?? "not-served" }),
      },
    };
  });
}

/** The server's side, counted for one kind of mesh path (pod paths, node paths, Service fetches). */
export type WitnessCount = Omit<MeshServerWitness, "unreadable">;

/** The mesh's evaluation with the server's side added: what its checks and report are drawn from. */
export interface WitnessedMesh extends MeshEvaluation {
  readonly witness: {
    readonly pod: WitnessCount;
    readonly node: WitnessCount;
    readonly service: WitnessCount;
    /** The echo servers whose log could not be read, and why. */
    readonly unreadable: readonly string[];
  };
}

const REQUEST: Record<MeshClaim["kind"], string> = {
  pod: "this request",
  large: "the 64 KiB request",
  service: "the Service's request",
  node: "the node's request",
};

/** What a verdict says in a mesh path's detail. */
function meshNote(claim: MeshClaim, verdict: Verdict, layout: MeshLayout): string {
  const pod = layout.echo.get(claim.server)?.name ?? "not found";
  const sender =
    claim.kind === "node"
      ? `an address of node ${claim.from}`
      : `${claim.from}'s client (${claim.sources?.join(", ") ?? "address unknown"})`;
  const named =
    verdict.kind === "elsewhere"
      ? { ...verdict, loggedBy: verdict.loggedBy.map((node) => `${node}'s echo server`) }
      : verdict;
  return describeVerdict(
    named,
    `${claim.server}'s echo server (${pod})`,
    sender,
    REQUEST[claim.kind],
  );
}

function zero(): { -readonly [K in keyof WitnessCount]: number } {
  return { witnessed: 0, clientsWordAlone: 0, notServed: 0 };
}

/**
 * The echo servers' side added to every HTTP pass the mesh's scripts reported: a pod or node path
 * whose answer the echo server meant never served becomes `unserved`, a Service fetch fails; the
 * others say who logged them, or that they stand on the client's word alone.
 */
export function witnessMesh(
  layout: MeshLayout,
  evaluation: MeshEvaluation,
  logs: ServerLogs,
): WitnessedMesh {
  const sideOf = serverSides(evaluation.claims, logs, (claim, verdict) =>
    meshNote(claim, verdict, layout),
  );
  const counts = { pod: zero(), node: zero(), service: zero() };
  const path = (p: MeshPath, probes: readonly string[], count: ReturnType<typeof zero>) => {
    const side = sideOf(probes);
    if (!side) {
      return p;
    }
    count[side.state] += 1;
    return {
      ...p,
      ...(side.state === "notServed" ? { outcome: "unserved" as const } : {}),
      detail: `${p.detail}; ${side.notes}`,
    };
  };
  const client = (c: ClientProbes): ClientProbes => {
    const side = sideOf([meshProbe.service(c.node)]);
    if (!side) {
      return c;
    }
    counts.service[side.state] += 1;
    const unserved = side.state === "notServed";
    return {
      ...c,
      service: {
        ...c.service,
        ok: c.service.ok && !unserved,
        detail: `${c.service.detail}; ${side.notes}`,
        ...(unserved ? { unserved } : {}),
      },
    };
  };
  return {
    ...evaluation,
    podPaths: evaluation.podPaths.map((p) =>
      path(p, [meshProbe.pod(p.from, p.to), meshProbe.large(p.from, p.to)], counts.pod),
    ),
    nodePaths: evaluation.nodePaths.map((p) =>
      path(p, [meshProbe.node(p.from, p.to)], counts.node),
    ),
    clients: evaluation.clients.map(client),
    witness: {
      ...counts,
      unreadable: [...logs].flatMap(([node, log]) =>
        log instanceof Error
          ? [
              `${node}'s echo server (${layout.echo.get(node)?.name}): ${log.message.split("\n")[0]}`,
            ]
          : [],
      ),
    },
  };
}

/** The three kinds' counts as one, with the unreadable logs: `verification.mesh.serverWitness`. */
export function serverWitnessSummary(witness: WitnessedMesh["witness"]): MeshServerWitness {
  const kinds = [witness.pod, witness.node, witness.service];
  const sum = (key: keyof WitnessCount) => kinds.reduce((total, k) => total + k[key], 0);
  return {
    witnessed: sum("witnessed"),
    clientsWordAlone: sum("clientsWordAlone"),
    notServed: sum("notServed"),
    unreadable: witness.unreadable,
  };
}
