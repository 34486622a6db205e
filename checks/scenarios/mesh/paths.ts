import { ServiceEndpoint } from "../../probe/cluster";
import { ExpectedServer, judgeOwnNetwork, judgePing, judgeServiceName } from "../../judge/probes";
import { judgePath, largeDetail, PathJudgement, Witnessable, witnessPath } from "../../judge/paths";
import { MeshLayout, MeshPath, MeshPod } from "../../contract/meshTypes";
import { meshNodePath, meshPodPath, meshServicePath, MeshTarget } from "./probes";
import { MeshPlan } from "../../contract/meshTypes";
import { parseIpAddr } from "../../probe/parsers";
import { ScriptOutput, Section } from "../../probe/script";
import { Claim } from "../../witness/witness";
import { onePiece } from "../../contract/text";
import { coveredNodes, MeshCoverage } from "./coverage";
import type { ServerSide } from "../../witness/sides";

/** What one script run gave: its sections, or why it gave none. */
export type MeshRun = ScriptOutput | Error;

/** One client's own probes: the Service, DNS, its node's gateway, eth0. */
export interface ClientProbes {
  readonly node: string;
  readonly service: {
    readonly ok: boolean;
    readonly ms: number;
    readonly detail: string;
    /** The echo server whose UID came back never logged the fetch (see witness.ts). */
    readonly unserved?: boolean;
  };
  readonly dns: { readonly ok: boolean; readonly ms: number; readonly detail: string };
  /** eth0's MTU inside the client pod. */
  readonly podMtu?: number;
  /** Whether the client's own node (its gateway) answers ping. */
  readonly gatewayAnswers?: boolean;
  /** The node whose echo server's UID the Service answered with, when it answered as one. */
  readonly serviceAnsweredBy?: string;
}

/** A node's links as its node probe read them. */
export interface NodeLinks {
  /** The link that carries the node's own address, and its MTU. */
  readonly nodeLink?: { readonly name: string; readonly mtu: number };
  /** Ports of that link when it is a bridge (a host's node network), with their MTUs. */
  readonly ports: ReadonlyArray<{ readonly name: string; readonly mtu: number }>;
  /** flannel.1's MTU (the VXLAN device), when the node has one. */
  readonly flannelMtu?: number;
  /** cni0's MTU (the pods' bridge), when the node has one. */
  readonly cni0Mtu?: number;
  /** Every IPv4 address of the node: what its own requests may come from (flannel.1's, across nodes). */
  readonly addresses: readonly string[];
}

/**
 * A path of a matrix as the mesh keeps it once judged: its outcome, the words its cell shows and
 * the claims its echo server's log must bear out. The rest of the judgement (the sections, the
 * pings' statistics) is let go as each script's run is read, so a thousand nodes' cells stay small.
 */
export interface JudgedCell extends Witnessable {
  readonly ms: number;
  readonly detail: string;
}

/** One cell of a matrix: a path judged, or why it could not be probed. */
export interface MeshCell {
  readonly from: string;
  readonly to: string;
  readonly path: JudgedCell | string;
}

/** A client's own probes, judged: its path to the Service (where it ran), DNS, gateway, eth0. */
export interface ClientRun {
  readonly node: string;
  readonly service: PathJudgement | string;
  readonly dns: ClientProbes["dns"];
  readonly podMtu?: number;
  readonly gatewayAnswers?: boolean;
}

/** Everything the mesh's scripts said, judged path by path. */
export interface MeshEvaluation {
  readonly podCells: readonly MeshCell[];
  readonly nodeCells: readonly MeshCell[];
  readonly clients: readonly ClientRun[];
  readonly links: ReadonlyMap<string, NodeLinks>;
  /** Every HTTP pass the scripts reported: what the echo servers' logs are read for. */
  readonly claims: readonly Claim[];
  /** The pairs this run probed. */
  readonly coverage: MeshCoverage;
}

/** The echo servers the scripts probe, in the order their indices name them. */
export function meshTargets(
  layout: MeshLayout,
): Array<{ index: number; node: string; pod: MeshPod }> {
  return layout.nodes.flatMap((node, index) => {
    const pod = layout.echo.get(node);
    return pod && pod.ready && pod.ip ? [{ index, node, pod }] : [];
  });
}

function sectionsOf(run: MeshRun | undefined): ReadonlyMap<string, Section> {
  return run && !(run instanceof Error) ? run.sections : new Map();
}

/** The links of one node from its probe's `ip addr`, its own address being the probe's pod IP. */
export function parseNodeLinks(output: string, nodeIp: string): NodeLinks {
  const interfaces = parseIpAddr(output);
  const masters = new Map<string, string>();
  for (const line of output.split("\n")) {
    const head = /^\d+: ([^:@\s]+)(?:@\S+)?: <[^>]*> mtu \d+.* master (\S+)/.exec(line);
    if (head) {
      masters.set(head[1], head[2]);
    }
  }
  const own = interfaces.find((i) => i.ipv4.some((a) => a.address === nodeIp));
  const mtuOf = (name: string) => interfaces.find((i) => i.name === name)?.mtu;
  const flannelMtu = mtuOf("flannel.1");
  const cni0Mtu = mtuOf("cni0");
  return {
    ...(own ? { nodeLink: { name: own.name, mtu: own.mtu } } : {}),
    ports: own
      ? interfaces
          .filter((i) => masters.get(i.name) === own.name)
          .map((i) => ({ name: i.name, mtu: i.mtu }))
      : [],
    ...(flannelMtu !== undefined ? { flannelMtu } : {}),
    ...(cni0Mtu !== undefined ? { cni0Mtu } : {}),
    addresses: interfaces.flatMap((i) => i.ipv4.map((a) => a.address)),
  };
}

/** The mesh's Service as the API server has it: its name, ClusterIP and endpoints. */
export interface MeshService {
  readonly name: string;
  readonly fqdn: string;
  readonly clusterIp: string;
  readonly endpoints: readonly ServiceEndpoint[] | Error;
}

/** What the mesh keeps of one client's run: its row of the pod matrix and its own probes. */
export interface ClientRead {
  readonly row: readonly MeshCell[];
  readonly client: ClientRun;
}

/** What the mesh keeps of one node probe's run: its row of the node matrix and the node's links. */
export interface NodeRead {
  readonly row: readonly MeshCell[];
  readonly links?: NodeLinks;
}

/** The judge of one run of the mesh (meshJudge). */
export interface MeshJudge {
  /** A client's run (undefined: it had none), with the token its requests carried. */
  client(from: string, run: MeshRun | undefined, token: string): ClientRead;
  /** A node probe's run, with the token its requests carried. */
  node(from: string, run: MeshRun, token: string): NodeRead;
  /** The rows joined, by node; a node whose client has no row stands as its row of reasons. */
  evaluation(
    clients: ReadonlyMap<string, ClientRead>,
    nodes: ReadonlyMap<string, NodeRead>,
  ): MeshEvaluation;
}

/**
 * The judge of the mesh's runs: each client's and each node probe's run read, as it ends, into its
 * row of judged cells (the echo servers the window covers this run), and the rows then joined into
 * the evaluation, a client or node probe that never ran standing as its row of reasons.
 */
export function meshJudge(
  plan: MeshPlan,
  layout: MeshLayout,
  service: MeshService,
  coverage: MeshCoverage,
): MeshJudge {
  const echoServers = meshTargets(layout);
  const targets = new Map(echoServers.map((target) => [target.node, target]));
  const covered = coveredNodes(coverage, layout.nodes);
  // A cell: why it could not be probed (no Ready echo server there, its prober did not run), or
  // its path judged and kept in its compact form.
  const cell = (
    from: string,
    to: string,
    unprobed: string | false | undefined,
    kind: "pod" | "node",
    judge: (target: MeshTarget, echo: ExpectedServer) => PathJudgement,
  ): MeshCell => {
    const target = targets.get(to);
    const path = !target
      ? `no Ready echo server on ${to}`
      : unprobed ||
        compact(
          judge(
            { index: target.index, node: to, ip: target.pod.ip },
            { kind: "pod", name: target.pod.name, uid: target.pod.uid },
          ),
          from,
          kind,
        );
    return { from, to, path };
  };
  const client = (from: string, run: MeshRun | undefined, token: string): ClientRead => {
    const runError =
      run instanceof Error
        ? run
        : run === undefined
          ? new Error(`no mesh client on ${from}`)
          : undefined;
    const sections = sectionsOf(run);
    const pod = layout.clients.get(from);
    const claim = { token, sources: pod ? [pod.ip] : [] };
    const why = runError && `the client could not run: ${runError.message}`;
    return {
      row: covered(from).map((to) =>
        cell(from, to, why, "pod", (target, echo) =>
          judgePath(sections, meshPodPath(plan, from, target), echo, { ...claim, server: to }),
        ),
      ),
      client: runError
        ? failedClient(from, runError)
        : clientRun(plan, from, sections, service, echoServers, claim),
    };
  };
  const node = (from: string, run: MeshRun, token: string): NodeRead => {
    const probe = layout.nodeProbes.get(from);
    const sections = sectionsOf(run);
    const linkSection = sections.get("links");
    const links = linkSection && probe ? parseNodeLinks(linkSection.output, probe.ip) : undefined;
    const claim = { token, sources: links?.addresses ?? [] };
    const why = run instanceof Error && `the node probe could not run: ${run.message}`;
    return {
      row: covered(from)
        .filter((to) => to !== from)
        .map((to) =>
          cell(from, to, why, "node", (target, echo) =>
            judgePath(sections, meshNodePath(plan, from, target), echo, { ...claim, server: to }),
          ),
        ),
      ...(links ? { links } : {}),
    };
  };
  const evaluation = (
    clients: ReadonlyMap<string, ClientRead>,
    nodes: ReadonlyMap<string, NodeRead>,
  ): MeshEvaluation => {
    const rows = layout.nodes.map((from) => clients.get(from) ?? client(from, undefined, ""));
    const nodeRows = layout.nodes.flatMap((from) => nodes.get(from) ?? []);
    const claimsOf = (p: { claims: readonly Claim[] } | string) =>
      typeof p === "string" ? [] : p.claims;
    const podCells = rows.flatMap((row) => row.row);
    const nodeCells = nodeRows.flatMap((row) => row.row);
    return {
      podCells,
      nodeCells,
      clients: rows.map((row) => row.client),
      links: new Map(
        layout.nodes.flatMap((from) => {
          const links = nodes.get(from)?.links;
          return links ? [[from, links] as const] : [];
        }),
      ),
      claims: [
        ...podCells.flatMap((c) => claimsOf(c.path)),
        ...nodeCells.flatMap((c) => claimsOf(c.path)),
        ...rows.flatMap((row) => claimsOf(row.client.service)),
      ],
      coverage,
    };
  };
  return { client, node, evaluation };
}

function failedClient(node: string, error: Error): ClientRun {
  return { node, service: error.message, dns: { ok: false, ms: 0, detail: error.message } };
}

function clientRun(
  plan: MeshPlan,
  node: string,
  sections: ReadonlyMap<string, Section>,
  service: MeshService,
  echo: ReadonlyArray<{ node: string; pod: MeshPod }>,
  claim: { readonly token: string; readonly sources: readonly string[] },
): ClientRun {
  const judged = judgePath(
    sections,
    meshServicePath(plan, node),
    {
      kind: "service",
      service: service.name,
      endpoints: service.endpoints,
      servers: echo.map((e) => e.pod),
    },
    { ...claim, server: "" },
  );
  // The echo server whose UID came back is the one whose log must show the fetch.
  const answeredBy = judged.http.ok
    ? echo.find((e) => e.pod.uid === judged.http.answeredUid)?.node
    : undefined;
  const fetched: PathJudgement = {
    ...judged,
    http: { ...judged.http, ok: answeredBy !== undefined },
    claims: answeredBy ? judged.claims.map((c) => ({ ...c, server: answeredBy })) : [],
  };
  const dns = judgeServiceName(sections, service.fqdn, service.clusterIp);
  const { eth0, gatewayAnswers } = judgeOwnNetwork(sections);
  return {
    node,
    service: sections.has("service") ? fetched : "not probed",
    dns: { ok: dns.ok, ms: dns.ms, detail: dns.detail },
    ...(eth0 ? { podMtu: eth0.mtu } : {}),
    ...(gatewayAnswers !== undefined ? { gatewayAnswers } : {}),
  };
}

/** The matrix's cells stay short: a ping's counts, its full statistics only where it did not run. */
function pinged(p: ReturnType<typeof judgePing> | undefined): string {
  return !p
    ? "not probed"
    : p.summary
      ? `${p.summary.received}/${p.summary.transmitted} answered`
      : p.detail;
}

/**
 * A path judged, in the form its cell keeps: the words the matrix shows, its claims. A passing pod
 * path's words are who answered, and that the rest answered (its outcome says as much): they show
 * only where the witness then fails it, and a thousand nodes' passing paths are most of them, so
 * they are kept as the judge's own words and a constant rather than joined anew.
 */
function compact(judged: PathJudgement, from: string, kind: "pod" | "node"): JudgedCell {
  const { http, small, large, full, outcome, ms, claims } = judged;
  return {
    http: { ok: http.ok, ...(http.failure ? { failure: http.failure } : {}) },
    outcome,
    ms,
    claims,
    detail:
      kind === "node"
        ? onePiece(`node ${from} → ${http.detail}`)
        : outcome === "pass"
          ? `http: ${http.detail}${PASSED}`
          : onePiece(
              `http: ${http.detail}; ping: ${pinged(small)}; ${largeDetail(large, judged.probed.large?.ms ?? 0)}; full-size ping: ${pinged(full)}`,
            ),
  };
}

/** What a passing pod path's words add to who answered. */
const PASSED = "; ping, 64 KiB and full-size ping answered";

/** A cell, witnessed, as the stack output shows it. */
export function meshPathOf(
  cell: MeshCell,
  sideOf: (claims: readonly Claim[]) => ServerSide | undefined,
): { path: MeshPath; side?: ServerSide } {
  const { from, to } = cell;
  if (typeof cell.path === "string") {
    return { path: { from, to, outcome: "absent", ms: 0, detail: cell.path } };
  }
  const { outcome, ms, detail, side } = witnessPath(cell.path, sideOf);
  // A path its echo server witnessed keeps its words as they are: the witness's own words would
  // only repeat that it passed, for every passing path of the matrix.
  const noted = side && side.state !== "witnessed";
  return {
    path: {
      from,
      to,
      outcome,
      ms,
      detail: noted ? onePiece(`${detail}; ${side.notes}`) : detail,
    },
    ...(side ? { side } : {}),
  };
}
