import { ClientProbes, MeshClaim, MeshEvaluation } from "../judge/meshEvaluate";
import { MeshLayout, MeshPath, MeshServerWitness } from "../contract/meshTypes";
import { meshProbe } from "../probe/meshScript";
import { ServerLog, sources } from "./serverWitness";

/**
 * The server's side of the mesh, as checks/serverWitness.ts is the pair's. A client's report is
 * one witness: a client image that lies, or something else at an echo server's address answering
 * with that server's UID (a UID is no secret), would pass it. So every request a mesh script sends
 * an echo server carries the run's token and a probe name (meshProbe: who sent it, on which path),
 * and after the probes the runner reads each echo server's own access log: a pass the echo server
 * it was meant for never logged, or logged from another sender, fails, naming that server and what
 * its log holds. Where a log cannot be read, the passes that rest on it say "the client's word
 * alone" in their checks and in `verification.mesh.serverWitness`.
 */

/** Each echo server's log of this run (its requests by probe, or why it could not be read), by node. */
export type MeshServerLogs = ReadonlyMap<string, ServerLog>;

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

/** One claim as the log of the echo server it was meant for judges it. */
type Verdict =
  | { readonly kind: "witnessed"; readonly seen: string }
  | { readonly kind: "unreadable"; readonly why: string }
  | { readonly kind: "elsewhere"; readonly loggedBy: readonly string[] }
  | { readonly kind: "other-sender"; readonly seen: string };

function firstLine(error: Error): string {
  return error.message.split("\n")[0];
}

function judge(claim: MeshClaim, logs: MeshServerLogs): Verdict {
  const log = logs.get(claim.server);
  if (log === undefined) {
    return { kind: "unreadable", why: "not read" };
  }
  if (log instanceof Error) {
    return { kind: "unreadable", why: firstLine(log) };
  }
  const requests = log.get(claim.probe) ?? [];
  if (requests.length === 0) {
    const loggedBy = [...logs]
      .filter(
        ([node, other]) =>
          node !== claim.server && !(other instanceof Error) && other.has(claim.probe),
      )
      .map(([node]) => node);
    return { kind: "elsewhere", loggedBy };
  }
  const expected = claim.sources;
  if (expected && !requests.some((r) => expected.includes(r.remote))) {
    return { kind: "other-sender", seen: sources(requests) };
  }
  return { kind: "witnessed", seen: sources(requests) };
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
  const server = `${claim.server}'s echo server (${pod})`;
  const sender =
    claim.kind === "node"
      ? `an address of node ${claim.from}`
      : `${claim.from}'s client (${claim.sources?.join(", ") ?? "address unknown"})`;
  switch (verdict.kind) {
    case "witnessed":
      return `${pod} logged it from ${verdict.seen}`;
    case "unreadable":
      return `${server}'s log could not be read (${verdict.why}): the client's word alone`;
    case "elsewhere":
      return `but ${server} never saw ${REQUEST[claim.kind]}; the answer came from elsewhere${
        verdict.loggedBy.length > 0
          ? ` (${verdict.loggedBy.map((n) => `${n}'s echo server`).join(", ")} logged it instead)`
          : ""
      }`;
    case "other-sender":
      return `but ${server} logged ${REQUEST[claim.kind]} from ${verdict.seen}, not from ${sender}: another sender made it`;
  }
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
  const failed = found.filter(
    (f) => f.verdict.kind === "elsewhere" || f.verdict.kind === "other-sender",
  );
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
  logs: MeshServerLogs,
): WitnessedMesh {
  const byProbe = new Map(
    evaluation.claims.map((claim) => [claim.probe, { claim, verdict: judge(claim, logs) }]),
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

/**
 * The echo servers whose log a re-read could change the verdict of: readable, but without a
 * request a script reported as served (nginx logs as it finishes, the kubelet a moment later).
 */
export function awaitingLogs(claims: readonly MeshClaim[], logs: MeshServerLogs): string[] {
  return [
    ...new Set(
      claims
        .filter((claim) => {
          const log = logs.get(claim.server);
          return log !== undefined && !(log instanceof Error) && !log.has(claim.probe);
        })
        .map((claim) => claim.server),
    ),
  ];
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
