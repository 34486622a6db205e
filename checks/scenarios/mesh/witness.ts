import { ClientProbes, ClientRun, MeshCell, MeshEvaluation, meshPathOf } from "./paths";
import { witnessPath } from "../../judge/paths";
import { MeshLayout, MeshPath, MeshServerWitness } from "../../contract/meshTypes";
import { serverSides } from "../../witness/sides";
import { Claim, describeVerdict, LogEvidence, Verdict } from "../../witness/witness";

/** The server's side, counted for one kind of mesh path (pod paths, node paths, Service fetches). */
export type WitnessCount = Omit<MeshServerWitness, "unreadable">;

/** The mesh's paths with the server's side added: what its checks and report are drawn from. */
export interface WitnessedMesh {
  readonly podPaths: readonly MeshPath[];
  readonly nodePaths: readonly MeshPath[];
  readonly clients: readonly ClientProbes[];
  readonly links: MeshEvaluation["links"];
  readonly coverage: MeshEvaluation["coverage"];
  readonly witness: {
    readonly pod: WitnessCount;
    readonly node: WitnessCount;
    readonly service: WitnessCount;
    /** The echo servers whose log could not be read, and why. */
    readonly unreadable: readonly string[];
  };
}

const REQUEST: Record<string, string> = {
  pod: "this request",
  large: "the 64 KiB request",
  service: "the Service's request",
  node: "the node's request",
};

/** What a verdict says in a mesh path's detail; the probe's name says who sent what. */
function meshNote(claim: Claim, verdict: Verdict, layout: MeshLayout): string {
  const [kind, route] = claim.probe.split("/");
  const from = route.split("->")[0];
  const pod = layout.echo.get(claim.server)?.name ?? "not found";
  const sender =
    kind === "node"
      ? `an address of node ${from}`
      : `${from}'s client (${claim.sources?.join(", ") ?? "address unknown"})`;
  const named =
    verdict.kind === "elsewhere"
      ? { ...verdict, loggedBy: verdict.loggedBy.map((node) => `${node}'s echo server`) }
      : verdict;
  return describeVerdict(named, `${claim.server}'s echo server (${pod})`, sender, REQUEST[kind]);
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
  evidence: LogEvidence,
): WitnessedMesh {
  const sideOf = serverSides(evidence, (claim: Claim, verdict) => meshNote(claim, verdict, layout));
  const counts = { pod: zero(), node: zero(), service: zero() };
  const paths = (cells: readonly MeshCell[], kind: "pod" | "node") =>
    cells.map((cell) => {
      const { path, side } = meshPathOf(cell, sideOf);
      if (side) {
        counts[kind][side.state] += 1;
      }
      return path;
    });
  const client = (c: ClientRun): ClientProbes => {
    const { service, ...own } = c;
    if (typeof service === "string") {
      return { ...own, service: { ok: false, ms: 0, detail: service } };
    }
    const judged = witnessPath(service, sideOf);
    const side = judged.side;
    if (side) {
      counts.service[side.state] += 1;
    }
    const answeredBy = service.claims[0]?.server;
    const unserved = side?.state === "notServed";
    return {
      ...own,
      service: {
        ok: judged.http.ok,
        ms: judged.http.ms,
        detail: side ? `${judged.http.detail}; ${side.notes}` : judged.http.detail,
        ...(unserved ? { unserved } : {}),
      },
      ...(service.http.ok && answeredBy ? { serviceAnsweredBy: answeredBy } : {}),
    };
  };
  return {
    podPaths: paths(evaluation.podCells, "pod"),
    nodePaths: paths(evaluation.nodeCells, "node"),
    clients: evaluation.clients.map(client),
    links: evaluation.links,
    coverage: evaluation.coverage,
    witness: {
      ...counts,
      unreadable: [...evidence.logs].flatMap(([node, log]) =>
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
