import { LARGE_BYTES } from "./identity";
import { parseIdentity } from "./identity";
import { MeshLayout, MeshPath, MeshPod } from "./meshTypes";
import { parseIpAddr, parseNslookup, parsePing, wgetFailure } from "./parsers";
import { ScriptOutput, Section } from "./podScript";

/** What one script run gave: its sections, or why it gave none. */
export type MeshRun = ScriptOutput | Error;

/** One client's own probes: the Service, DNS, its node's gateway, eth0. */
export interface ClientProbes {
  readonly node: string;
  readonly service: { readonly ok: boolean; readonly ms: number; readonly detail: string };
  readonly dns: { readonly ok: boolean; readonly ms: number; readonly detail: string };
  /** eth0's MTU inside the client pod. */
  readonly podMtu?: number;
  /** Whether the client's own node (its gateway) answers ping. */
  readonly gatewayAnswers?: boolean;
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
}

/** Everything the mesh's scripts said, read. */
export interface MeshEvaluation {
  readonly podPaths: readonly MeshPath[];
  readonly nodePaths: readonly MeshPath[];
  readonly clients: readonly ClientProbes[];
  readonly links: ReadonlyMap<string, NodeLinks>;
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

/** The identity probe of one target: did the echo server of that node answer, itself? */
function identityOutcome(
  section: Section | undefined,
  pod: MeshPod,
  target: string,
): { ok: boolean; detail: string } {
  if (!section) {
    return { ok: false, detail: `${target}: not probed (the script did not get to it)` };
  }
  if (section.rc !== 0) {
    return { ok: false, detail: wgetFailure(section.rc, section.output, target).detail };
  }
  const uid = parseIdentity(section.output);
  return uid === pod.uid
    ? { ok: true, detail: `${pod.name} answered` }
    : {
        ok: false,
        detail: `${target} answered, but not as ${pod.name} (uid ${pod.uid.slice(0, 8)}): ${uid ? `uid ${uid.slice(0, 8)}` : `"${section.output.slice(0, 60)}"`}`,
      };
}

function pingOutcome(section: Section | undefined): { ok: boolean; detail: string } {
  if (!section) {
    return { ok: false, detail: "not tried" };
  }
  const ping = parsePing(section.output);
  if (!ping) {
    return { ok: false, detail: `ping did not run: ${section.output.slice(0, 80)}` };
  }
  return {
    ok: ping.transmitted > 0 && ping.received === ping.transmitted,
    detail: `${ping.received}/${ping.transmitted} answered`,
  };
}

/** A pod path: client on `from`, echo server on `to`, from the sections of that target. */
function podPath(
  from: string,
  to: string,
  pod: MeshPod,
  index: number,
  sections: ReadonlyMap<string, Section>,
  runError: Error | undefined,
): MeshPath {
  const at = (name: string) => sections.get(`${name}-${index}`);
  const ms = ["pod", "ping", "large", "mtu"].reduce((sum, name) => sum + (at(name)?.ms ?? 0), 0);
  if (runError) {
    return {
      from,
      to,
      outcome: "absent",
      ms: 0,
      detail: `the client could not run: ${runError.message}`,
    };
  }
  const target = `${pod.ip} (${pod.name})`;
  const http = identityOutcome(at("pod"), pod, target);
  const small = pingOutcome(at("ping"));
  const large = at("large");
  // wc's count, on a line of its own; `timeout` may have said "Terminated" around it.
  const bytes = large?.output
    .split("\n")
    .find((line) => /^\s*\d+\s*$/.test(line))
    ?.trim();
  const largeOk = large !== undefined && large.rc === 0 && Number(bytes) === LARGE_BYTES;
  const full = pingOutcome(at("mtu"));
  const largeDetail = !large
    ? "large: not tried"
    : largeOk
      ? `${LARGE_BYTES} bytes in ${large.ms} ms`
      : bytes !== undefined
        ? `only ${bytes} of ${LARGE_BYTES} bytes arrived within ${large.ms} ms (${large.tries} tries)`
        : `large: ${large.output.replace(/\s+/g, " ").trim().slice(0, 60) || `exit ${large.rc}`}`;
  const detail = `http: ${http.detail}; ping: ${small.detail}; ${largeDetail}; full-size ping: ${full.detail}`;
  if (!http.ok && !small.ok) {
    return { from, to, outcome: "fail", ms, detail };
  }
  if ((http.ok && !largeOk) || (small.ok && !full.ok)) {
    return { from, to, outcome: "mtu", ms, detail };
  }
  return { from, to, outcome: http.ok && small.ok ? "pass" : "fail", ms, detail };
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
  };
}

function clientProbes(
  node: string,
  sections: ReadonlyMap<string, Section>,
  clusterIp: string,
  echoUids: ReadonlySet<string>,
  serviceName: string,
): ClientProbes {
  const service = sections.get("service");
  const uid = service && service.rc === 0 ? parseIdentity(service.output) : undefined;
  const serviceOk = uid !== undefined && echoUids.has(uid);
  const dns = sections.get("dns");
  const answer = dns ? parseNslookup(dns.output) : undefined;
  const dnsOk =
    dns !== undefined && dns.rc === 0 && (answer?.addresses.includes(clusterIp) ?? false);
  const waited = sections.get("name-wait")?.ms ?? 0;
  const afterWait =
    waited >= 1000 ? ` (after ${waited} ms waiting for CoreDNS to know the name)` : "";
  const eth0 = Number(sections.get("eth0")?.output.trim());
  const gateway = sections.get("gateway");
  return {
    node,
    service: {
      ok: serviceOk,
      ms: service?.ms ?? 0,
      detail: !service
        ? "not probed"
        : serviceOk
          ? `an echo server answered (uid ${uid.slice(0, 8)})`
          : service.rc !== 0
            ? wgetFailure(service.rc, service.output, serviceName).detail
            : `${serviceName} answered, but not as an echo server of the mesh: "${service.output.slice(0, 60)}"`,
    },
    dns: {
      ok: dnsOk,
      ms: dns?.ms ?? 0,
      detail: !dns
        ? "not probed"
        : dnsOk
          ? `resolves to ${clusterIp}`
          : `${answer?.error ?? `answered ${answer?.addresses.join(", ") || "nothing"}`}, not ${clusterIp}${afterWait}`,
    },
    ...(Number.isInteger(eth0) && eth0 > 0 ? { podMtu: eth0 } : {}),
    ...(gateway ? { gatewayAnswers: gateway.rc === 0 } : {}),
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
  service: { readonly name: string; readonly clusterIp: string },
): MeshEvaluation {
  const targets = meshTargets(layout);
  const echoUids = new Set(targets.map((t) => t.pod.uid));
  const podPaths: MeshPath[] = [];
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
    for (const to of layout.nodes) {
      const target = targets.find((t) => t.node === to);
      podPaths.push(
        target
          ? podPath(from, to, target.pod, target.index, sections, runError)
          : { from, to, outcome: "absent", ms: 0, detail: `no Ready echo server on ${to}` },
      );
    }
    if (!runError) {
      clients.push(clientProbes(from, sections, service.clusterIp, echoUids, service.name));
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
        nodePaths.push({
          from,
          to,
          outcome: "absent",
          ms: 0,
          detail: `no Ready echo server on ${to}`,
        });
        continue;
      }
      if (nodeRun instanceof Error) {
        nodePaths.push({
          from,
          to,
          outcome: "absent",
          ms: 0,
          detail: `the node probe could not run: ${nodeRun.message}`,
        });
        continue;
      }
      const section = nodeSections.get(`node-${target.index}`);
      const outcome = identityOutcome(section, target.pod, `${target.pod.ip} (${target.pod.name})`);
      nodePaths.push({
        from,
        to,
        outcome: outcome.ok ? "pass" : "fail",
        ms: section?.ms ?? 0,
        detail: `node ${from} → ${outcome.detail}`,
      });
    }
  }
  return { podPaths, nodePaths, clients, links };
}
