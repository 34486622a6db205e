import { ServiceEndpoint } from "./endpoints";
import { checkIdentity, judgeLarge, judgeLookup, judgePing } from "./probes";
import { LARGE_BYTES } from "../contract/identity";
import { meshProbe } from "../plan/meshProbes";
import { MeshLayout, MeshPath, MeshPod } from "../contract/meshTypes";
import { parseIpAddr } from "../probe/parsers";
import { ScriptOutput, Section } from "../probe/script";
import { ExpectedRequest } from "../witness/request";
import { Claim } from "../witness/witness";

/** What one script run gave: its sections, or why it gave none. */
export type MeshRun = ScriptOutput | Error;

/** One client's own probes: the Service, DNS, its node's gateway, eth0. */
export interface ClientProbes {
  readonly node: string;
  readonly service: {
    readonly ok: boolean;
    readonly ms: number;
    readonly detail: string;
    /** The echo server whose UID came back never logged the fetch (see witnessed.ts). */
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
 * An HTTP pass a script reported, which the echo server it was meant for must have logged (see
 * checks/judge/witnessed.ts): a pod path's identity or 64 KiB, a node path, a client's Service fetch.
 */
export interface MeshClaim extends Claim {
  readonly kind: "pod" | "large" | "node" | "service";
  /** The sender's node. */
  readonly from: string;
}

/** The request a sender's script sent for one kind of probe (plan/meshProbes.ts's meshRequest). */
export type MeshRequestOf = (
  kind: MeshClaim["kind"],
  from: string,
  probe: string,
  ip: string,
) => ExpectedRequest;

/** Everything the mesh's scripts said, read. */
export interface MeshEvaluation {
  readonly podPaths: readonly MeshPath[];
  readonly nodePaths: readonly MeshPath[];
  readonly clients: readonly ClientProbes[];
  readonly links: ReadonlyMap<string, NodeLinks>;
  /** Every HTTP pass the scripts reported: what the echo servers' logs are read for. */
  readonly claims: readonly MeshClaim[];
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

/** A path that could not be probed, and why. */
function absent(from: string, to: string, detail: string): MeshPath {
  return { from, to, outcome: "absent", ms: 0, detail };
}

function sectionsOf(run: MeshRun | undefined): ReadonlyMap<string, Section> {
  return run && !(run instanceof Error) ? run.sections : new Map();
}

/** The identity probe of one target: did the echo server of that node answer, itself? */
const identityOf = (section: Section | undefined, pod: MeshPod) =>
  checkIdentity(section, pod.ip, { kind: "pod", name: pod.name, uid: pod.uid });

/**
 * A pod path: client on `from`, echo server on `to`, from the sections of that target; and which
 * of its HTTP requests the client reports as served (what the echo server's log must show).
 */
function podPath(
  from: string,
  to: string,
  pod: MeshPod,
  index: number,
  sections: ReadonlyMap<string, Section>,
  runError: Error | undefined,
): { path: MeshPath; served: Array<"pod" | "large"> } {
  const at = (name: string) => sections.get(`${name}-${index}`);
  const ms = ["pod", "ping", "large", "mtu"].reduce((sum, name) => sum + (at(name)?.ms ?? 0), 0);
  if (runError) {
    return { path: absent(from, to, `the client could not run: ${runError.message}`), served: [] };
  }
  const http = identityOf(at("pod"), pod);
  const small = judgePing(at("ping"), pod.ip);
  const large = judgeLarge(at("large"));
  const largeOk = large.ok;
  const full = judgePing(at("mtu"), pod.ip);
  const largeDetail = largeOk
    ? `${LARGE_BYTES} bytes in ${at("large")?.ms ?? 0} ms`
    : `the ${LARGE_BYTES}-byte response ${large.detail}`;
  // The matrix's cells stay short: a ping's counts, its full statistics only where it did not run.
  const pinged = (p: typeof small) =>
    p.summary ? `${p.summary.received}/${p.summary.transmitted} answered` : p.detail;
  const detail = `http: ${http.detail}; ping: ${pinged(small)}; ${largeDetail}; full-size ping: ${pinged(full)}`;
  const served = [
    ...(http.ok ? ["pod" as const] : []),
    ...(http.ok && largeOk ? ["large" as const] : []),
  ];
  if (!http.ok && !small.ok) {
    return { path: { from, to, outcome: "fail", ms, detail }, served };
  }
  if ((http.ok && !largeOk) || (small.ok && !full.ok)) {
    return { path: { from, to, outcome: "mtu", ms, detail }, served };
  }
  return { path: { from, to, outcome: http.ok && small.ok ? "pass" : "fail", ms, detail }, served };
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

function clientProbes(
  node: string,
  sections: ReadonlyMap<string, Section>,
  service: MeshService,
  echo: ReadonlyArray<{ node: string; pod: MeshPod }>,
): ClientProbes {
  const fetch = sections.get("service");
  const who = checkIdentity(fetch, service.name, {
    kind: "service",
    service: service.name,
    endpoints: service.endpoints,
    servers: echo.map((e) => e.pod),
  });
  const answeredBy = who.ok ? echo.find((e) => e.pod.uid === who.answeredUid)?.node : undefined;
  const dns = sections.get("dns");
  const lookup = judgeLookup(dns, service.fqdn, service.clusterIp);
  const waited = sections.get("service-ready")?.ms ?? 0;
  const afterWait =
    waited >= 1000 ? ` (after ${waited} ms waiting for CoreDNS to know the name)` : "";
  const eth0 = Number(sections.get("eth0")?.output.trim());
  const gateway = sections.get("gateway");
  return {
    node,
    service: {
      ok: answeredBy !== undefined,
      ms: fetch?.ms ?? 0,
      detail: fetch ? who.detail : "not probed",
    },
    dns: {
      ok: lookup.ok,
      ms: dns?.ms ?? 0,
      detail: !dns ? "not probed" : lookup.ok ? lookup.detail : `${lookup.detail}${afterWait}`,
    },
    ...(Number.isInteger(eth0) && eth0 > 0 ? { podMtu: eth0 } : {}),
    ...(gateway ? { gatewayAnswers: gateway.rc === 0 } : {}),
    ...(answeredBy !== undefined ? { serviceAnsweredBy: answeredBy } : {}),
  };
}

/**
 * Reads every script's sections into paths: each client node to each echo server (the matrix),
 * each node to the echo servers of the other nodes, each client's own probes, each node's links.
 */
export function evaluateMesh(
  layout: MeshLayout,
  clientRuns: ReadonlyMap<string, MeshRun>,
  nodeRuns: ReadonlyMap<string, MeshRun>,
  service: MeshService,
  requestOf: MeshRequestOf,
): MeshEvaluation {
  const targets = meshTargets(layout);
  const podPaths: MeshPath[] = [];
  const claims: MeshClaim[] = [];
  const nodePaths: MeshPath[] = [];
  const clients: ClientProbes[] = [];
  const links = new Map<string, NodeLinks>();
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
    const clientSource = client ? { sources: [client.ip] } : {};
    for (const to of layout.nodes) {
      const target = targets.find((t) => t.node === to);
      if (!target) {
        podPaths.push(absent(from, to, `no Ready echo server on ${to}`));
        continue;
      }
      const { path, served } = podPath(from, to, target.pod, target.index, sections, runError);
      podPaths.push(path);
      claims.push(
        ...served.map((kind) => ({
          kind,
          from,
          server: to,
          probe: meshProbe[kind](from, to),
          request: requestOf(kind, from, meshProbe[kind](from, to), target.pod.ip),
          expect: "served" as const,
          ...clientSource,
        })),
      );
    }
    if (!runError) {
      const probes = clientProbes(from, sections, service, targets);
      clients.push(probes);
      if (probes.service.ok && probes.serviceAnsweredBy) {
        claims.push({
          kind: "service",
          from,
          server: probes.serviceAnsweredBy,
          probe: meshProbe.service(from),
          request: requestOf("service", from, meshProbe.service(from), ""),
          expect: "served",
          ...clientSource,
        });
      }
    } else {
      clients.push({
        node: from,
        service: { ok: false, ms: 0, detail: runError.message },
        dns: { ok: false, ms: 0, detail: runError.message },
      });
    }
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
    for (const to of layout.nodes.filter((n) => n !== from)) {
      const target = targets.find((t) => t.node === to);
      if (!target) {
        nodePaths.push(absent(from, to, `no Ready echo server on ${to}`));
        continue;
      }
      if (nodeRun instanceof Error) {
        nodePaths.push(absent(from, to, `the node probe could not run: ${nodeRun.message}`));
        continue;
      }
      const section = nodeSections.get(`node-${target.index}`);
      const outcome = identityOf(section, target.pod);
      if (outcome.ok) {
        const addresses = links.get(from)?.addresses;
        claims.push({
          kind: "node",
          from,
          server: to,
          probe: meshProbe.node(from, to),
          request: requestOf("node", from, meshProbe.node(from, to), target.pod.ip),
          expect: "served",
          ...(addresses && addresses.length > 0 ? { sources: addresses } : {}),
        });
      }
      nodePaths.push({
        from,
        to,
        outcome: outcome.ok ? "pass" : "fail",
        ms: section?.ms ?? 0,
        detail: `node ${from} → ${outcome.detail}`,
      });
    }
  }
  return { podPaths, nodePaths, clients, links, claims };
}
