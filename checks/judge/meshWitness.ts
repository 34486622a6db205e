import { ClientProbes, MeshClaim, MeshEvaluation } from "./meshEvaluate";
import { MeshLayout, MeshPath, MeshServerWitness } from "../contract/meshTypes";
import { meshProbe } from "../plan/meshProbes";
import { describeVerdict, fails, judgeClaim, ServerLogs, Verdict } from "../witness/witness";

/**
 * The echo servers' verdicts (witness/witness.ts, the one judge of every scenario's claims) applied
 * to the mesh's paths: a pass the echo server it was meant for did not log exactly as sent, from
 * the sender's own address, fails as `unserved`, naming that server and what its log holds. Where
 * a log cannot be read, the passes that rest on it say "the client's word alone" in their checks
 * and in `verification.mesh.serverWitness`.
 */

/** The server's side, counted for one kind of path (pod paths, node paths, Service fetches). */
export type WitnessCount = Omit<MeshServerWitness, "unreadable">;

/** The evaluation with the server's side added: what the mesh's checks and report are drawn from. */
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

/** What a verdict says in a path's detail. */
function note(claim: MeshClaim, verdict: Verdict, layout: MeshLayout): string {
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

type State = "witnessed" | "clientsWordAlone" | "notServed";

/** The server's side of one path or fetch: its claims' verdicts, worst first, and their notes. */
function judged(
  probes: readonly string[],
  byProbe: ReadonlyMap<string, { claim: MeshClaim; verdict: Verdict }>,
  layout: MeshLayout,
): { state: State; notes: string } | undefined {
  const found = probes.flatMap((probe) => byProbe.get(probe) ?? []);
  if (found.length === 0) {
    return undefined;
  }
  const failed = found.filter((f) => fails(f.verdict));
  const alone = found.filter((f) => f.verdict.kind === "unreadable");
  const [state, shown]: [State, typeof found] =
    failed.length > 0
      ? ["notServed", failed]
      : alone.length > 0
        ? ["clientsWordAlone", alone]
        : ["witnessed", found];
  const notes = [...new Set(shown.map((f) => note(f.claim, f.verdict, layout)))].join("; ");
  return { state, notes };
}

function zero(): { -readonly [K in keyof WitnessCount]: number } {
  return { witnessed: 0, clientsWordAlone: 0, notServed: 0 };
}

/**
 * Adds the echo servers' side to every HTTP pass the scripts reported: a pod or node path whose
 * answer the echo server meant never served becomes `unserved`, a Service fetch fails; the others
 * say who logged them, or that they stand on the client's word alone.
 */
export function witnessMesh(
  layout: MeshLayout,
  evaluation: MeshEvaluation,
  logs: ServerLogs,
): WitnessedMesh {
  const byProbe = new Map(
    evaluation.claims.map((claim) => [claim.probe, { claim, verdict: judgeClaim(claim, logs) }]),
  );
  const counts = { pod: zero(), node: zero(), service: zero() };
  const path = (
    p: MeshPath,
    probes: readonly string[],
    count: ReturnType<typeof zero>,
  ): MeshPath => {
    const side = judged(probes, byProbe, layout);
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
    const side = judged([meshProbe.service(c.node)], byProbe, layout);
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
          ? [`${node}'s echo server (${layout.echo.get(node)?.name}): ${firstLine(log)}`]
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

function firstLine(error: Error): string {
  return error.message.split("\n")[0];
}
