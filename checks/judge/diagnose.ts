import { PathOutcome } from "../contract/meshTypes";
import { IMPOSTOR } from "./paths";
import { CheckName, CheckResult, Diagnosis, Layer } from "../contract/types";

/**
 * The one diagnosis of a scenario: the layer that broke, read from the bottom of the stack up. The
 * pair gives one path and the mesh a matrix of them; every rule reads both alike.
 */

/** A judged path, from the client's node (or the probing node) to the server's. */
export interface FoundPath {
  readonly from: string;
  readonly to: string;
  /** As judged; `http`: the server answers ping and not HTTP. */
  readonly outcome: PathOutcome | "http";
  /** The server meant to answer, as a summary names it. */
  readonly server: string;
  readonly detail: string;
  /** What to cite for it instead of `from → to: detail` (the pair cites its checks). */
  readonly cited?: readonly string[];
}

/** A node the scenario covers, and what its client pod and node probe read there. */
export interface FoundNode {
  readonly name: string;
  readonly podMtu?: number;
  /** Whether the client pod reaches its own node (its gateway), and what shows it. */
  readonly ownNode?: { readonly answers: boolean; readonly evidence: readonly string[] };
  /**
   * The links a packet crosses there, as its node probe read them: each must carry the pods' MTU
   * and 50 bytes more, but the VXLAN device (flannel.1) the pods' MTU alone.
   */
  readonly links?: ReadonlyArray<{ name: string; mtu: number; vxlan?: boolean }>;
  /** Those links in one line, where the scenario has node probes. */
  readonly linkLine?: string;
}

/** What a scenario found, for its diagnosis. */
export interface Findings {
  readonly nodes: readonly FoundNode[];
  /** Client pod to server pod. */
  readonly paths: readonly FoundPath[];
  /** A node's own network namespace to the pods of the other nodes. */
  readonly nodePaths: readonly FoundPath[];
  /** Fetches through the Service that the server which answered never logged. */
  readonly fetches: readonly FoundPath[];
  /** Every check: the Service's, DNS's, the policies' and the stranger's are read by name. */
  readonly checks: readonly CheckResult[];
}

/** Evidence lines a diagnosis (or a check's detail) lists before it points at the rest. */
export const EVIDENCE_LINES = 8;
const SERVICE: CheckName[] = ["service-clusterip-http", "mesh-service"];
const BY_NAME: CheckName[] = ["service-dns-http", "service-fqdn-http"];
const NAMES: CheckName[] = ["dns", ...BY_NAME, "mesh-dns"];
const STRANGER: CheckName[] = ["stranger-to-pod-ip", "stranger-to-service"];
/** The client pod's own network. */
const OWN: CheckName[] = ["pod-interface", "pod-routes"];
/** What fails for a client the policies refuse. */
const LET_IN: CheckName[] = ["policy-allows-client", "pod-ip-http", "ping", ...SERVICE];

/** What each rule says, in the order of the rules. */
const SAYS = {
  client:
    "The client pod's own network is wrong (eth0 or its routes), so nothing it reports beyond that can be trusted.",
  notEnforced: (policies: string) =>
    `NetworkPolicy is not enforced by this cluster: traffic the policies (${policies}) refuse reached nginx. The API server accepts NetworkPolicy objects whether or not anything enforces them. On k3s, the server's embedded network policy controller (kube-router) enforces them unless k3s was started with --disable-network-policy (look in /etc/rancher/k3s/config.yaml and the k3s service's arguments); with another CNI, check that it enforces policies (Flannel alone does not).`,
  clientRefused: (why: string, policies: string) =>
    `The client is refused by NetworkPolicy, not by the network: ${why}. Add a rule that lets the client in, or look at what changed in ${policies}.`,
  cutOff: (nodes: string) =>
    `Pod networking is broken at the client: on ${nodes} it reaches neither its own node (its gateway) nor the server (no ping, no HTTP); look at what the client may send (an egress NetworkPolicy that selects it), then the CNI bridge, veths and routes there.`,
  sameNode: (nodes: string) =>
    `Pods cannot reach a pod on their own node on ${nodes}: that node's pod network (the cni0 bridge, the pods' veths) is broken, whatever the paths between nodes do.`,
  podSide: (nodes: string) =>
    `The clients on ${nodes} cannot reach the echo servers on other nodes, yet their nodes reach those very pods from the node's own network namespace: the route between the nodes works, the client pods' side (their veth, bridge or policy) is broken.`,
  crossNode: (pods: string, where: string) =>
    `${pods}, and pods across nodes do not, ${where}: the overlay (flannel.1, VXLAN on udp 8472) or the node routes to the other nodes' pod CIDRs are broken, not the pods.`,
  unserved: (servers: string) =>
    `Answers came back as ${servers}, but that server's own access log has no such request of this run (or has it from another sender), or it was not ${servers} that answered (another pod's UID, a redirect elsewhere, an answer without end): something else answers at its address (a pod that took the IP, a relay or proxy on the path), or a client's report is not what happened. The network under those answers is not proven.`,
  unanswered:
    "The nginx pod answers ping but not HTTP on its pod IP: the network is fine, nginx (or its port) is not.",
  serviceImpostor:
    "The Service answers, but from a pod that is not the lab's nginx or not one of its endpoints: check what else its selector matches, and which backends kube-proxy programs for its ClusterIP.",
  uncovered:
    "The mesh does not cover every schedulable node, so those nodes' paths were not proven: look at the DaemonSets' pods there (kubectl get pods -o wide).",
  unprobed: (count: number) =>
    `${count} paths could not be probed (the script in their client did not run or was cut off), so nothing is proven about them; the paths that ran are in the matrix.`,
  service:
    "The pod IP works but the Service's ClusterIP does not: check the Service's selector, targetPort and endpoints, and kube-proxy.",
  dns: "The pod IP and the ClusterIP work but the Service's name does not: DNS (CoreDNS or the pod's resolv.conf) is broken, not pod networking.",
  nodeToPod: (nodes: string) =>
    `Every pod path works, but ${nodes} cannot reach the pods of the other nodes from the node's own network namespace: the node's routes to the other pod CIDRs (or what filters the node's own traffic) are broken, not the pods.`,
  strangerCutOff:
    "The stranger pod does not even reach the Kubernetes API by its ClusterIP, which no policy of the lab covers: its refusals cannot be told from a dead pod, so nothing shows the policies are enforced. Look at the stranger pod and its node.",
  strangerEgress:
    "A NetworkPolicy restricts the stranger's own egress, so its refusals may be its own policies' doing: nothing shows the policies around nginx refuse it. Remove the egress policy that selects the stranger.",
  unrouted:
    "The stranger's request found no route at all (unreachable), which is no policy's refusal: to the Service's ClusterIP, kube-proxy on the stranger's node has no rule for it; to the pod IP, that node has no route to the pod network. Nothing shows the policies refuse the stranger until its node routes the request.",
  notRefused:
    "The stranger's request failed, but not as a policy refuses (neither dropped nor refused): nothing shows the policies refuse the stranger.",
  strangerDns:
    "The stranger pod cannot resolve the Service's name at CoreDNS while the client's checks pass: look at CoreDNS and the stranger's node.",
  lossy:
    "HTTP works but ICMP to the nginx pod loses packets: the path is lossy, or ICMP is filtered.",
  ipam: "Traffic flows, but the pod IPs do not fit the nodes' pod CIDRs: IP address management is off.",
  other: "A mesh check failed.",
};

/** A rule: whether it holds, and then the layer it names, what it says and what it cites. */
type Rule = readonly [boolean, Layer, string, readonly string[]];

type Ends = { readonly from: string; readonly to: string };

/** `a → b` for a path. */
export const arrow = (p: Ends) => `${p.from} → ${p.to}`;
const unique = <T>(items: readonly T[]) => [...new Set(items)];
const line = (c: CheckResult) => `${c.name}: ${c.detail}`;

/** The failed ones of the named checks, each as `name: detail`. */
export function citeFailed(checks: readonly CheckResult[], ...names: CheckName[]): string[] {
  return checks.filter((c) => !c.ok && names.includes(c.name)).map(line);
}

/** The first paths of a list, and how many more. */
export function listed(paths: readonly Ends[]): string {
  const shown = paths.slice(0, 4).map(arrow).join(", ");
  return paths.length > 4 ? `${shown} and ${paths.length - 4} more` : shown;
}

/** The nodes every one of these paths starts or ends on. */
function commonNodes(paths: readonly FoundPath[]): string[] {
  const first = paths.length > 0 ? [paths[0].from, paths[0].to] : [];
  return unique(first).filter((node) => paths.every((p) => p.from === node || p.to === node));
}

function evidence(paths: readonly FoundPath[], extra: readonly string[] = []): string[] {
  const more = paths.length - EVIDENCE_LINES;
  return [
    ...paths.slice(0, EVIDENCE_LINES).flatMap((p) => p.cited ?? [`${arrow(p)}: ${p.detail}`]),
    ...(more > 0 ? [`${more} more in verification.mesh.failures`] : []),
    ...extra,
  ];
}

/** Where on the cluster a set of failing cross-node paths points. */
function blame(paths: readonly FoundPath[], all: readonly FoundNode[]): string {
  const common = commonNodes(paths);
  const nodes = all.map((n) => n.name);
  return nodes.length === 2
    ? `between ${nodes[0]} and ${nodes[1]} (with two nodes either one's side can be at fault; a third node would tell which)`
    : common.length === 1
      ? `on node ${common[0]}: every failing path runs to or from it (${paths.length} of its ${2 * (nodes.length - 1)} cross-node paths), while the paths among the other nodes pass`
      : `between several nodes: ${listed(paths)}`;
}

/** Names the layer that broke, from the first rule that holds, bottom of the stack first. */
export function diagnose(f: Findings): Diagnosis | undefined {
  if (f.checks.every((c) => c.ok)) {
    return undefined;
  }
  const check = (name: CheckName) => f.checks.find((c) => c.name === name);
  const cite = (...names: CheckName[]) => citeFailed(f.checks, ...names);
  // Looked up, not searched: a thousand nodes' matrix fails tens of thousands of paths at once.
  const nodes = new Map(f.nodes.map((n) => [n.name, n]));
  const node = (name: string) => nodes.get(name);
  const froms = (paths: readonly FoundPath[]) => unique(paths.map((p) => p.from)).join(", ");
  const routeByPair = new Map(f.nodePaths.map((n) => [`${n.from}\n${n.to}`, n]));
  const nodeRoute = (p: FoundPath) => routeByPair.get(`${p.from}\n${p.to}`);
  const where = (outcome: FoundPath["outcome"]) => f.paths.filter((p) => p.outcome === outcome);
  const verdict = check("policy-allows-client");
  const policies = String(verdict?.facts?.isolatedBy ?? "none");
  const refusals = f.checks.filter((c) => STRANGER.includes(c.name));
  const got = (what: string) => refusals.some((r) => r.facts?.got === what);
  const denial = String(verdict?.detail);
  const denied = !!verdict && !verdict.ok && policies !== "none" && !!verdict.facts;
  const reached = f.paths.every((p) => p.outcome === "pass" || p.outcome === "mtu");
  const notEnforced = [
    ...(verdict ? refusals.filter((r) => r.facts?.got === "through").map(line) : []),
    ...(denied && reached ? [`policy-allows-client: ${denial}, yet pod-ip-http passed`] : []),
  ];
  const failing = where("fail");
  const cutOff = failing.filter((p) => node(p.from)?.ownNode?.answers === false);
  const sameNode = failing.filter((p) => p.from === p.to);
  const routes = failing.flatMap((p) => nodeRoute(p) ?? []);
  const nodesReach = routes.filter((p) => p.outcome === "pass");
  const podSide = failing.length > 0 && nodesReach.length === failing.length;
  const reach = nodesReach.map((n) => `node ${arrow(n)}: ${n.detail}`);
  const pods = f.paths.some((p) => p.from === p.to)
    ? "Pods on one node reach each other"
    : "The client pods reach their own node";
  // What the clients of the paths' source nodes saw of their own node, a few nodes' worth.
  const ownNodes = (paths: readonly FoundPath[]) => {
    const from = unique(paths.map((p) => p.from));
    const more = from.length - EVIDENCE_LINES;
    return [
      ...from.slice(0, EVIDENCE_LINES).flatMap((n) => node(n)?.ownNode?.evidence ?? []),
      ...(more > 0 && node(from[0])?.ownNode ? [`and the clients of ${more} more nodes`] : []),
    ];
  };
  const crossNode = evidence(failing, [
    ...routes
      .filter((p) => p.outcome !== "pass")
      .slice(0, 2)
      .map((p) => `the node itself fails too: ${p.detail}`),
    ...ownNodes(failing),
  ]);
  const unserved = [...where("unserved"), ...f.nodePaths.filter((p) => p.outcome === "unserved")];
  const servers = unique([...unserved, ...f.fetches].map((p) => p.server)).join(", ");
  const fetched = f.fetches.map((p) => `${p.from} via the Service: ${p.detail}`);
  const impostor = [...SERVICE, ...BY_NAME].some((name) =>
    IMPOSTOR.includes(String(check(name)?.facts?.failure)),
  );
  const coverage = f.checks.find((c) => c.name === "mesh-coverage" && !c.ok);
  const unprobed = where("absent");
  const nodeToPod = f.nodePaths.filter((p) => p.outcome !== "pass");
  const unrouted = refusals.filter((r) => !r.ok && r.facts?.got === "unreachable");
  const misfired = refusals.some((r) => !r.ok && r.facts?.got !== "through");
  const unroutedAt = unrouted.some((r) => r.name === "stranger-to-service")
    ? "service"
    : "pod-network";
  // The client's own network first, then the policies, the paths (what carries nothing, then
  // full-size packets), the server, the Service, DNS, the nodes' own routes, the stranger's view.
  const rules: Rule[] = [
    [cite(...OWN).length > 0, "client", SAYS.client, cite(...OWN)],
    [notEnforced.length > 0, "policy-enforcement", SAYS.notEnforced(policies), notEnforced],
    [denied, "network-policy", SAYS.clientRefused(denial, policies), cite(...LET_IN)],
    [
      cutOff.length > 0,
      "pod-network",
      SAYS.cutOff(froms(cutOff)),
      evidence(cutOff, ownNodes(cutOff)),
    ],
    [sameNode.length > 0, "pod-network", SAYS.sameNode(froms(sameNode)), evidence(sameNode)],
    [podSide, "pod-network", SAYS.podSide(froms(failing)), evidence(failing, reach)],
    [failing.length > 0, "cross-node", SAYS.crossNode(pods, blame(failing, f.nodes)), crossNode],
    [where("mtu").length > 0, "mtu", ...mtu(f, where("mtu"))],
    [servers.length > 0, "server", SAYS.unserved(servers), evidence(unserved, fetched)],
    [where("http").length > 0, "server", SAYS.unanswered, evidence(where("http"))],
    [impostor, "service", SAYS.serviceImpostor, cite(...SERVICE, ...BY_NAME)],
    [!!coverage, "coverage", SAYS.uncovered, [String(coverage?.detail), ...evidence(unprobed)]],
    [unprobed.length > 0, "coverage", SAYS.unprobed(unprobed.length), evidence(unprobed)],
    [cite(...SERVICE).length > 0, "service", SAYS.service, cite(...SERVICE, ...NAMES)],
    [cite(...NAMES).length > 0, "dns", SAYS.dns, cite(...NAMES)],
    [nodeToPod.length > 0, "cross-node", SAYS.nodeToPod(froms(nodeToPod)), evidence(nodeToPod)],
    [got("nothing"), "network-policy", SAYS.strangerCutOff, cite(...STRANGER, "stranger-dns")],
    [got("own-egress"), "network-policy", SAYS.strangerEgress, cite(...STRANGER)],
    [unrouted.length > 0, unroutedAt, SAYS.unrouted, cite(...STRANGER)],
    [misfired, "network-policy", SAYS.notRefused, cite(...STRANGER)],
    [cite("stranger-dns").length > 0, "dns", SAYS.strangerDns, cite("stranger-dns")],
    [cite("ping").length > 0, "pod-network", SAYS.lossy, cite("ping")],
    [check("pod-cidr") !== undefined, "ipam", SAYS.ipam, cite("pod-cidr")],
    [true, "pod-network", SAYS.other, f.checks.filter((c) => !c.ok).map(line)],
  ];
  const [, layer, summary, cited] = rules.find(([holds]) => holds) ?? rules[rules.length - 1];
  return { layer, summary, evidence: cited };
}

/** Full-size packets lost where small ones pass: on which paths, and which links are too small. */
function mtu(f: Findings, holes: readonly FoundPath[]): [string, string[]] {
  const podMtus = unique(f.nodes.flatMap((n) => (n.podMtu ? [n.podMtu] : [])));
  const podMtu = podMtus.length === 1 ? podMtus[0] : undefined;
  const needed = podMtu !== undefined ? podMtu + 50 : undefined;
  const names = unique(holes.flatMap((p) => [p.from, p.to]));
  const involved = names.flatMap((name) => f.nodes.filter((n) => n.name === name));
  const tooSmall = involved.flatMap(({ name, links }) =>
    (needed === undefined ? [] : (links ?? []))
      .filter((link) => link.mtu < (needed ?? 0) - (link.vxlan ? 50 : 0))
      .map((link) => `${name}: ${link.name} mtu ${link.mtu}`),
  );
  const common = commonNodes(holes);
  const at =
    holes.length === 1
      ? holes[0].from === holes[0].to
        ? ` on ${holes[0].from}`
        : ` on the path ${arrow(holes[0])}`
      : common.length === 1 && f.nodes.length > 2
        ? `, every such path runs to or from ${common[0]}`
        : `, on ${listed(holes)}`;
  const probed = involved.filter((n) => n.linkLine !== undefined);
  const compare =
    probed.length > 0
      ? ""
      : " (compare `ip link show cni0`, `flannel.1` and the node's link on each node; a lowered link MTU or a hop that drops large frames does this)";
  return [
    `Small packets pass and full-size ones do not: an MTU black hole${at}. The pods' eth0 MTU is ${podMtu ?? "unknown"}; across nodes VXLAN adds 50 bytes, so flannel.1 must carry ${podMtu ?? "the pods' MTU"} and every node link on the way ${needed ?? "50 bytes more"}${compare}.${tooSmall.length > 0 ? ` Below that: ${tooSmall.join(", ")}.` : ""}`,
    evidence(
      holes,
      probed
        .slice(0, EVIDENCE_LINES)
        .map((n) => `${n.name}: pod eth0 mtu ${n.podMtu ?? "unknown"}, ${n.linkLine}`),
    ),
  ];
}
