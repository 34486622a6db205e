import { NodeView, ServiceEndpoint } from "../../probe/cluster";
import { LARGE_BYTES, LARGE_PATH } from "../../contract/identity";
import { cidrContains } from "../../judge/ipv4";
import { parseIpRoute } from "../../probe/parsers";
import {
  ExpectedServer,
  judgeLarge,
  judgeOwnNetwork,
  judgeServiceName,
  OwnNetwork,
  pingAnswered,
} from "../../judge/probes";
import { Section } from "../../probe/script";
import { podPath, serviceFqdn, servicePaths } from "./probes";
import { judgePath, PathJudgement, witnessFacts } from "../../judge/paths";
import { CheckPlan, CheckResult } from "../../contract/types";

/** The nodes the lab's pods run on, by name, as the API server has them. */
export type LabNodes = ReadonlyMap<string, Pick<NodeView, "podCidrs" | "internalIp" | "overlay">>;

const MISSING: Section = { rc: -1, ms: 0, tries: 0, output: "" };

/**
 * An HTTP check is a view of one path's HTTP: it passes when the walkthrough's page came back and
 * the server that answered is the one that must (the page alone proves only that some nginx
 * answered), and, once the logs are read, when that server logged the request from the client.
 */
function httpCheck(name: CheckResult["name"], path: PathJudgement): CheckResult {
  const { http, side } = path;
  const witnessFailed = side?.state === "notServed";
  return {
    name,
    ok: http.ok && !witnessFailed,
    detail: side ? `${http.detail}; ${side.notes}` : http.detail,
    ms: http.ms,
    facts: {
      tries: http.tries,
      ...(http.answeredUid ? { answeredUid: http.answeredUid } : {}),
      ...(http.answeredBy ? { answeredBy: http.answeredBy } : {}),
      ...(http.failure ? { failure: http.failure } : {}),
      ...(side ? witnessFacts(side) : {}),
    },
  };
}

function dnsCheck(plan: CheckPlan, sections: ReadonlyMap<string, Section>): CheckResult {
  const answer = judgeServiceName(sections, serviceFqdn(plan), plan.serviceClusterIp);
  return {
    name: "dns",
    ok: answer.ok,
    detail: answer.detail,
    ms: answer.ms,
    facts: {
      server: answer.server ?? "",
      addresses: answer.addresses.join(","),
      tries: answer.tries,
    },
  };
}

function pingCheck(path: PathJudgement): CheckResult {
  const ping = path.small;
  const summary = ping?.summary;
  return {
    name: "ping",
    ok: ping?.ok ?? false,
    detail: ping?.detail ?? "not probed",
    ms: path.probed.ping?.ms ?? 0,
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

function interfaceCheck(plan: CheckPlan, own: OwnNetwork): CheckResult {
  const { ms, output } = own.addr ?? MISSING;
  const { eth0 } = own;
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

function routesCheck(plan: CheckPlan, own: OwnNetwork): CheckResult {
  const { ms, output } = own.routes ?? MISSING;
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
      ...(own.gatewayAnswers !== undefined ? { gatewayAnswers: own.gatewayAnswers } : {}),
    },
  };
}

function cidrCheck(plan: CheckPlan, nodeCidrs: LabNodes | Error): CheckResult {
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
function mtuCheck(plan: CheckPlan, path: PathJudgement, mtu: number | undefined): CheckResult {
  const { large, mtu: full } = path.probed;
  const body = path.large ?? judgeLarge(undefined);
  const summary = path.full?.summary;
  const size = mtu !== undefined ? `${mtu}-byte` : "MTU-sized";
  const url = `${path.target}${LARGE_PATH}`;
  const problems = [
    body.ok ? undefined : `the ${LARGE_BYTES}-byte response from ${url} ${body.detail}`,
    pingAnswered(summary)
      ? undefined
      : `${size} pings to ${plan.serverPodIp}: ${summary ? `${summary.received} of ${summary.transmitted} answered` : full?.tries === 0 ? full.output.trim() : "no statistics"}`,
  ].filter((p): p is string => p !== undefined);
  return {
    name: "path-mtu",
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${LARGE_BYTES} bytes from ${path.target} in ${large?.ms ?? 0} ms and ${size} pings answered: the path carries full-size packets`
        : problems.join("; "),
    ms: (large?.ms ?? 0) + (full?.ms ?? 0),
    facts: {
      ...(body.bytes !== undefined ? { bytes: body.bytes } : {}),
      ...(mtu !== undefined ? { podMtu: mtu } : {}),
      ...(summary ? { mtuPingsAnswered: summary.received } : {}),
    },
  };
}

/** The pair's paths, judged: the client to the nginx pod, and to the Service at each address. */
export interface PairPaths {
  readonly pod: PathJudgement;
  readonly services: readonly PathJudgement[];
}

/** Judges the client's paths from its sections (`token`: the run's, which its requests carried). */
export function judgePairPaths(
  plan: CheckPlan,
  sections: ReadonlyMap<string, Section>,
  endpoints: readonly ServiceEndpoint[] | Error,
  token = "",
): PairPaths {
  const server = { name: plan.serverPod, uid: plan.serverPodUid };
  const claim = { server: plan.serverPod, token, sources: [plan.clientPodIp] };
  const service: ExpectedServer = {
    kind: "service",
    service: plan.serviceName,
    endpoints,
    servers: [server],
  };
  return {
    pod: judgePath(sections, podPath(plan), { kind: "pod", ...server }, claim),
    services: servicePaths(plan).map((path) => judgePath(sections, path, service, claim)),
  };
}

/** The pair's checks: views of its judged (and, once the logs are read, witnessed) paths. */
export function pairChecks(
  plan: CheckPlan,
  sections: ReadonlyMap<string, Section>,
  nodeCidrs: LabNodes | Error,
  paths: PairPaths,
): CheckResult[] {
  const [byName, byFqdn, byClusterIp] = paths.services;
  const own = judgeOwnNetwork(sections);
  return [
    httpCheck("pod-ip-http", paths.pod),
    httpCheck("service-dns-http", byName),
    httpCheck("service-fqdn-http", byFqdn),
    httpCheck("service-clusterip-http", byClusterIp),
    dnsCheck(plan, sections),
    pingCheck(paths.pod),
    interfaceCheck(plan, own),
    routesCheck(plan, own),
    cidrCheck(plan, nodeCidrs),
    mtuCheck(plan, paths.pod, own.eth0?.mtu),
  ];
}
