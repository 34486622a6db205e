import { ServiceEndpoint } from "../../judge/endpoints";
import { ExpectedServer, judgePing, judgeServiceName } from "../../judge/probes";
import { judgePath, largeDetail, PathJudgement, witnessPath } from "../../judge/paths";
import { MeshLayout, MeshPath, MeshPod } from "../../contract/meshTypes";
import { meshNodePath, meshPodPath, meshServicePath, MeshTarget } from "./probes";
import { MeshPlan } from "../../contract/meshTypes";
import { parseIpAddr } from "../../probe/parsers";
import { ScriptOutput, Section } from "../../probe/script";
import { Claim } from "../../witness/witness";
import { coveredNodes, MeshCoverage, meshCoverage } from "./coverage";
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

/** One cell of a matrix: a path judged, or why it could not be probed. */
export interface MeshCell {
  readonly from: string;
  readonly to: string;
  readonly path: PathJudgement | string;
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

/** The token a script's requests carried: one per script, by its kind and node. */
export type TokenOf = (kind: "client" | "node", from: string) => string;

/**
 * Reads every script's sections into judged paths: each client node to each echo server (the
 * matrix), each node to the echo servers of the other nodes, each client's own probes, each
 * node's links; and the claims the echo servers' logs must bear out.
 */
export function evaluateMesh(
  plan: MeshPlan,
  layout: MeshLayout,
  clientRuns: ReadonlyMap<string, MeshRun>,
  nodeRuns: ReadonlyMap<string, MeshRun>,
  service: MeshService,
  tokenOf: TokenOf,
  coverage: MeshCoverage = meshCoverage(layout.nodes.length, layout.nodes.length, 0),
): MeshEvaluation {
  const echoServers = meshTargets(layout);
  const targets = new Map(echoServers.map((target) => [target.node, target]));
  const covered = coveredNodes(coverage, layout.nodes);
  const podCells: MeshCell[] = [];
  const nodeCells: MeshCell[] = [];
  const clients: ClientRun[] = [];
  const links = new Map<string, NodeLinks>();
  // A cell: why it could not be probed (no Ready echo server there, its prober did not run), or
  // its path judged.
  const cell = (
    from: string,
    to: string,
    unprobed: string | false | undefined,
    judge: (target: MeshTarget, echo: ExpectedServer) => PathJudgement,
  ): MeshCell => {
    const target = targets.get(to);
    const { pod } = target ?? {};
    return {
      from,
      to,
      path:
        !target || !pod
          ? `no Ready echo server on ${to}`
          : unprobed ||
            judge(
              { index: target.index, node: to, ip: pod.ip },
              { kind: "pod", name: pod.name, uid: pod.uid },
            ),
    };
  };
  for (const from of layout.nodes) {
    const run = clientRuns.get(from);
    const runError =
      run instanceof Error
        ? run
        : run === undefined
          ? new Error(`no mesh client on ${from}`)
          : undefined;
    const sections = sectionsOf(run);
    const client = layout.clients.get(from);
    const claim = { token: tokenOf("client", from), sources: client ? [client.ip] : [] };
    for (const to of covered(from)) {
      podCells.push(
        cell(
          from,
          to,
          runError && `the client could not run: ${runError.message}`,
          (target, echo) =>
            judgePath(sections, meshPodPath(plan, from, target), echo, {
              ...claim,
              server: to,
            }),
        ),
      );
    }
    clients.push(
      runError
        ? failedClient(from, runError)
        : clientRun(plan, from, sections, service, echoServers, claim),
    );
    const nodeRun = nodeRuns.get(from);
    if (nodeRun === undefined) {
      continue;
    }
    const probe = layout.nodeProbes.get(from);
    const nodeSections = sectionsOf(nodeRun);
    const linkSection = nodeSections.get("links");
    if (linkSection && probe) {
      links.set(from, parseNodeLinks(linkSection.output, probe.ip));
    }
    const nodeClaim = { token: tokenOf("node", from), sources: links.get(from)?.addresses ?? [] };
    for (const to of covered(from).filter((n) => n !== from)) {
      const why = nodeRun instanceof Error && `the node probe could not run: ${nodeRun.message}`;
      nodeCells.push(
        cell(from, to, why, (target, echo) =>
          judgePath(nodeSections, meshNodePath(plan, from, target), echo, {
            ...nodeClaim,
            server: to,
          }),
        ),
      );
    }
  }
  const judged = (p: PathJudgement | string) => (typeof p === "string" ? [] : p.claims);
  const claims = [
    ...podCells.flatMap((c) => judged(c.path)),
    ...nodeCells.flatMap((c) => judged(c.path)),
    ...clients.flatMap((c) => judged(c.service)),
  ];
  return { podCells, nodeCells, clients, links, claims, coverage };
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
  const eth0 = parseIpAddr(sections.get("ip-addr")?.output ?? "").find((i) => i.name === "eth0");
  const gateway = sections.get("gateway-ping");
  return {
    node,
    service: sections.has("service") ? fetched : "not probed",
    dns: { ok: dns.ok, ms: dns.ms, detail: dns.detail },
    ...(eth0 ? { podMtu: eth0.mtu } : {}),
    ...(gateway ? { gatewayAnswers: gateway.rc === 0 } : {}),
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

/** A cell, witnessed, as the stack output shows it. */
export function meshPathOf(
  cell: MeshCell,
  kind: "pod" | "node",
  sideOf: (probes: readonly string[]) => ServerSide | undefined,
): { path: MeshPath; side?: ServerSide } {
  const { from, to } = cell;
  if (typeof cell.path === "string") {
    return { path: { from, to, outcome: "absent", ms: 0, detail: cell.path } };
  }
  const judged = witnessPath(cell.path, sideOf);
  const { http, small, large, full, side } = judged;
  const detail =
    kind === "node"
      ? `node ${from} → ${http.detail}`
      : `http: ${http.detail}; ping: ${pinged(small)}; ${largeDetail(large, judged.probed.large?.ms ?? 0)}; full-size ping: ${pinged(full)}`;
  return {
    path: {
      from,
      to,
      outcome: judged.outcome,
      ms: judged.ms,
      detail: side ? `${detail}; ${side.notes}` : detail,
    },
    ...(side ? { side } : {}),
  };
}
