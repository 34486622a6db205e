import { ServiceEndpoint } from "./endpoints";
import { LARGE_BYTES, LARGE_PATH } from "../contract/identity";
import { cidrContains } from "./ipv4";
import { parseIpAddr, parseIpRoute, parseWget } from "../probe/parsers";
import {
  checkIdentity,
  ExpectedServer,
  judgeLarge,
  judgeLookup,
  judgePing,
  pingAnswered,
} from "./probes";
import { Section } from "../probe/script";
import { serviceFqdn } from "../plan/pairProbes";
import { CheckPlan, CheckResult } from "../contract/types";

/** What `kubectl get nodes` says about one node the lab runs on. */
export interface NodeFacts {
  /** spec.podCIDRs: the node's share of the pod network. */
  readonly podCidrs: readonly string[];
  /** Its InternalIP: where other nodes send its pods' traffic. */
  readonly internalIp?: string;
  /** The overlay carrying pod traffic between nodes, where the CNI says (Flannel: "vxlan"). */
  readonly overlay?: string;
}

/** The nodes the lab runs on, by name. */
export type NodePodCidrs = ReadonlyMap<string, NodeFacts>;

interface NodeJson {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: { podCIDR?: string; podCIDRs?: string[] };
  status?: { addresses?: Array<{ type?: string; address?: string }> };
}

/** Flannel's own record of how it carries a node's pod traffic (k3s's default CNI). */
const FLANNEL_BACKEND = "flannel.alpha.coreos.com/backend-type";

/**
 * Reads `kubectl get nodes <names> -o json` into what each node says of its pod network. kubectl
 * prints a List for several names but the bare Node for one, so both shapes are read.
 */
export function parseNodePodCidrs(json: string): NodePodCidrs {
  const parsed = JSON.parse(json) as NodeJson & { kind?: string; items?: NodeJson[] };
  const nodes = parsed.kind === "Node" ? [parsed] : (parsed.items ?? []);
  const facts = new Map<string, NodeFacts>();
  for (const node of nodes) {
    const name = node.metadata?.name;
    if (name) {
      const internalIp = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
      const backend = node.metadata?.annotations?.[FLANNEL_BACKEND];
      facts.set(name, {
        podCidrs: node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []),
        ...(internalIp ? { internalIp } : {}),
        ...(backend ? { overlay: `flannel ${backend}` } : {}),
      });
    }
  }
  return facts;
}

const MISSING: Section = { rc: -1, ms: 0, tries: 0, output: "" };

/** " (passed on try 2)" or " (3 tries)": retries are evidence too. */
function triesNote(section: Section, ok: boolean): string {
  if (section.tries <= 1) {
    return "";
  }
  return ok ? ` (passed on try ${section.tries})` : ` (${section.tries} tries)`;
}

/**
 * An HTTP check passes when the walkthrough's page came back and the server that answered is the
 * one that must: the page alone proves only that some nginx answered.
 */
function httpCheck(
  name: CheckResult["name"],
  page: Section | undefined,
  identity: Section | undefined,
  target: string,
  expected: ExpectedServer,
): CheckResult {
  if (!page) {
    return {
      name,
      ok: false,
      detail: `the probe for ${target} produced no output (the script stopped early)`,
      ms: 0,
    };
  }
  const outcome = parseWget(page.rc, page.output, target);
  if (!outcome.ok) {
    return {
      name,
      ok: false,
      detail: outcome.detail + triesNote(page, false),
      ms: page.ms,
      facts: { tries: page.tries, ...(outcome.failure ? { failure: outcome.failure } : {}) },
    };
  }
  const who = checkIdentity(identity, target, expected);
  const ok = who.ok;
  return {
    name,
    ok,
    detail: `${outcome.detail}${triesNote(page, true)}, ${who.detail}${identity ? triesNote(identity, ok) : ""}`,
    ms: page.ms + (identity?.ms ?? 0),
    facts: {
      tries: page.tries,
      ...(who.answeredUid ? { answeredUid: who.answeredUid } : {}),
      ...(who.answeredBy ? { answeredBy: who.answeredBy } : {}),
      ...(who.failure ? { failure: who.failure } : {}),
    },
  };
}

/** What the bounded wait for the Service saw, as evidence for a name that did not resolve. */
function waitNote(ready: Section | undefined): string {
  return ready && ready.rc !== 0
    ? `; waited ${(ready.ms / 1000).toFixed(1)} s for the Service first (${ready.output.trim()})`
    : "";
}

function dnsCheck(
  plan: CheckPlan,
  section: Section | undefined,
  ready: Section | undefined,
): CheckResult {
  const probe = section ?? MISSING;
  const answer = judgeLookup(section, serviceFqdn(plan), plan.serviceClusterIp);
  return {
    name: "dns",
    ok: answer.ok,
    detail: answer.detail + triesNote(probe, answer.ok) + (answer.ok ? "" : waitNote(ready)),
    ms: probe.ms,
    facts: {
      server: answer.server ?? "",
      addresses: answer.addresses.join(","),
      tries: probe.tries,
    },
  };
}

function pingCheck(plan: CheckPlan, section: Section | undefined): CheckResult {
  const ping = judgePing(section, plan.serverPodIp, plan.pingCount);
  const summary = ping.summary;
  return {
    name: "ping",
    ok: ping.ok,
    detail: ping.detail,
    ms: section?.ms ?? 0,
    ...(summary
      ? {
          facts: {
            transmitted: summary.transmitted,
            received: summary.received,
            lossPercent: summary.lossPercent,
            ...(summary.rtt
              ? { rttMinMs: summary.rtt.min, rttAvgMs: summary.rtt.avg, rttMaxMs: summary.rtt.max }
              : {}),
          },
        }
      : {}),
  };
}

function interfaceCheck(plan: CheckPlan, section: Section | undefined): CheckResult {
  const { ms, output } = section ?? MISSING;
  const eth0 = parseIpAddr(output).find((iface) => iface.name === "eth0");
  if (!eth0) {
    return {
      name: "pod-interface",
      ok: false,
      detail: `no eth0 in the client pod: ${output.trim() || "no output"}`,
      ms,
    };
  }
  const address = eth0.ipv4.find((entry) => entry.address === plan.clientPodIp);
  const shown =
    eth0.ipv4.map((entry) => `${entry.address}/${entry.prefixLength}`).join(", ") ||
    "no IPv4 address";
  const veth =
    eth0.peerIndex === undefined ? "not a veth" : `host-side veth index ${eth0.peerIndex}`;
  const ok = address !== undefined && eth0.up;
  const detail = ok
    ? `eth0@if${eth0.peerIndex ?? "?"} carries ${shown}, mtu ${eth0.mtu}, ${veth}`
    : `eth0 ${eth0.up ? "is up" : "is DOWN"} with ${shown}; the pod IP ${plan.clientPodIp} is ${address ? "there" : "missing"}`;
  return {
    name: "pod-interface",
    ok,
    detail,
    ms,
    facts: {
      mtu: eth0.mtu,
      ...(eth0.peerIndex !== undefined ? { hostVethIndex: eth0.peerIndex } : {}),
      ...(eth0.mac ? { mac: eth0.mac } : {}),
      ...(address ? { address: `${address.address}/${address.prefixLength}` } : {}),
    },
  };
}

function routesCheck(
  plan: CheckPlan,
  section: Section | undefined,
  gatewaySection: Section | undefined,
): CheckResult {
  const { ms, output } = section ?? MISSING;
  const routes = parseIpRoute(output);
  const defaultRoute = routes.find((route) => route.destination === "default");
  const subnet = routes.find(
    (route) =>
      route.destination.includes("/") &&
      route.dev === "eth0" &&
      route.via === undefined &&
      cidrContains(route.destination, plan.clientPodIp),
  );
  const gatewayOnSubnet =
    defaultRoute?.via !== undefined &&
    subnet !== undefined &&
    cidrContains(subnet.destination, defaultRoute.via);
  const ok = defaultRoute?.dev === "eth0" && gatewayOnSubnet;
  const problems = [
    defaultRoute ? undefined : "no default route",
    defaultRoute && defaultRoute.dev !== "eth0"
      ? `default route leaves by ${defaultRoute.dev ?? "no device"}, not eth0`
      : undefined,
    subnet ? undefined : `no on-link route on eth0 covering the pod IP ${plan.clientPodIp}`,
    defaultRoute?.via && subnet && !gatewayOnSubnet
      ? `gateway ${defaultRoute.via} is outside ${subnet.destination}`
      : undefined,
  ].filter((problem): problem is string => problem !== undefined);
  const detail = ok
    ? `default via ${defaultRoute?.via} dev eth0; pod subnet ${subnet?.destination} on eth0`
    : `${problems.join("; ")} (routes: ${output.trim().replace(/\s*\n\s*/g, " | ") || "none"})`;
  return {
    name: "pod-routes",
    ok,
    detail,
    ms,
    facts: {
      ...(defaultRoute?.via ? { gateway: defaultRoute.via } : {}),
      ...(subnet ? { podSubnet: subnet.destination } : {}),
      // The client's own node answering is the same-node half of the path; the diagnosis uses it
      // to tell a broken node-to-node path from a broken pod network.
      ...(gatewaySection && gatewaySection.rc >= 0
        ? { gatewayAnswers: gatewaySection.rc === 0 }
        : {}),
    },
  };
}

function cidrCheck(plan: CheckPlan, nodeCidrs: NodePodCidrs | Error): CheckResult {
  if (nodeCidrs instanceof Error) {
    return {
      name: "pod-cidr",
      ok: false,
      detail: `could not read the nodes' pod CIDRs: ${nodeCidrs.message}`,
      ms: 0,
    };
  }
  const placed: Array<[string, string, string]> = [
    ["nginx", plan.serverPodIp, plan.serverNode],
    ["busybox", plan.clientPodIp, plan.clientNode],
  ];
  const cidrsOf = (node: string) => nodeCidrs.get(node)?.podCidrs ?? [];
  const problems: string[] = [];
  for (const [role, ip, node] of placed) {
    const cidrs = cidrsOf(node);
    if (cidrs.length === 0) {
      problems.push(`node ${node} (${role}) has no spec.podCIDR`);
    } else if (!cidrs.some((cidr) => cidrContains(cidr, ip))) {
      problems.push(`${role} IP ${ip} is outside node ${node}'s pod CIDR ${cidrs.join(",")}`);
    }
  }
  if (plan.serverPodIp === plan.clientPodIp) {
    problems.push(`both pods have the IP ${plan.serverPodIp}`);
  }
  const ok = problems.length === 0;
  const describe = ([role, ip, node]: [string, string, string]) =>
    `${role} ${ip} in ${node}'s ${cidrsOf(node).join(",")}`;
  const crossNode = plan.serverNode !== plan.clientNode;
  const server = nodeCidrs.get(plan.serverNode);
  const overlay = server?.overlay ?? nodeCidrs.get(plan.clientNode)?.overlay;
  // The path a packet takes: within one node's bridge, or from node to node.
  const path = crossNode
    ? `across nodes: ${plan.clientNode} → ${plan.serverNode}${server?.internalIp ? ` (${server.internalIp})` : ""}${overlay ? ` over ${overlay}` : ""}`
    : `on one node, ${plan.serverNode}, through its bridge`;
  return {
    name: "pod-cidr",
    ok,
    detail: ok
      ? `${placed.map(describe).join("; ")}; the IPs differ; ${path}`
      : problems.join("; "),
    ms: 0,
    facts: {
      crossNode,
      serverNode: plan.serverNode,
      clientNode: plan.clientNode,
      ...(cidrsOf(plan.serverNode).length
        ? { serverPodCidr: cidrsOf(plan.serverNode).join(",") }
        : {}),
      ...(cidrsOf(plan.clientNode).length
        ? { clientPodCidr: cidrsOf(plan.clientNode).join(",") }
        : {}),
      ...(server?.internalIp ? { serverNodeIp: server.internalIp } : {}),
      ...(overlay ? { overlay } : {}),
    },
  };
}

/**
 * The path at its full MTU: the large response all there, and pings that fill eth0's MTU answered.
 * Only worth reading when small packets pass: a path that carries nothing fails elsewhere.
 */
function mtuCheck(
  plan: CheckPlan,
  large: Section | undefined,
  ping: Section | undefined,
  mtu: number | undefined,
): CheckResult {
  const body = judgeLarge(large);
  const pinged = judgePing(ping, plan.serverPodIp);
  const summary = pinged.summary;
  const size = mtu !== undefined ? `${mtu}-byte` : "MTU-sized";
  const url = `${plan.serverPodIp}:${plan.serverPort}${LARGE_PATH}`;
  const problems = [
    body.ok ? undefined : `the ${LARGE_BYTES}-byte response from ${url} ${body.detail}`,
    pingAnswered(summary)
      ? undefined
      : `${size} pings to ${plan.serverPodIp}: ${summary ? `${summary.received} of ${summary.transmitted} answered` : ping?.tries === 0 ? ping.output.trim() : "no statistics"}`,
  ].filter((p): p is string => p !== undefined);
  return {
    name: "path-mtu",
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${LARGE_BYTES} bytes from ${plan.serverPodIp}:${plan.serverPort} in ${large?.ms ?? 0} ms and ${size} pings answered: the path carries full-size packets`
        : problems.join("; "),
    ms: (large?.ms ?? 0) + (ping?.ms ?? 0),
    facts: {
      ...(body.bytes !== undefined ? { bytes: body.bytes } : {}),
      ...(mtu !== undefined ? { podMtu: mtu } : {}),
      ...(summary ? { mtuPingsAnswered: summary.received } : {}),
    },
  };
}

/** Turns the probes' raw sections, the nodes' pod CIDRs and the Service's endpoints into the nine check results. */
export function evaluateChecks(
  plan: CheckPlan,
  sections: ReadonlyMap<string, Section>,
  nodeCidrs: NodePodCidrs | Error,
  endpoints: readonly ServiceEndpoint[] | Error,
): CheckResult[] {
  const port = plan.servicePort;
  const server: ExpectedServer = { kind: "pod", name: plan.serverPod, uid: plan.serverPodUid };
  const service: ExpectedServer = {
    kind: "service",
    service: plan.serviceName,
    endpoints,
    servers: [{ name: plan.serverPod, uid: plan.serverPodUid }],
  };
  const http = (
    name: CheckResult["name"],
    identity: string,
    target: string,
    expected: ExpectedServer,
  ) => httpCheck(name, sections.get(name), sections.get(identity), target, expected);
  return [
    http("pod-ip-http", "pod-ip-identity", `${plan.serverPodIp}:${plan.serverPort}`, server),
    http("service-dns-http", "service-dns-identity", `${plan.serviceName}:${port}`, service),
    http("service-fqdn-http", "service-fqdn-identity", `${serviceFqdn(plan)}:${port}`, service),
    http(
      "service-clusterip-http",
      "service-clusterip-identity",
      `${plan.serviceClusterIp}:${port}`,
      service,
    ),
    dnsCheck(plan, sections.get("dns"), sections.get("service-ready")),
    pingCheck(plan, sections.get("ping")),
    interfaceCheck(plan, sections.get("ip-addr")),
    routesCheck(plan, sections.get("ip-route"), sections.get("gateway-ping")),
    cidrCheck(plan, nodeCidrs),
    mtuCheck(
      plan,
      sections.get("large-http"),
      sections.get("mtu-ping"),
      parseIpAddr(sections.get("ip-addr")?.output ?? "").find((i) => i.name === "eth0")?.mtu,
    ),
  ];
}
