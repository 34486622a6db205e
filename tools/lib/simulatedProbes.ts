/**
 * What the every-node scripts print and the echo servers log, simulated: each script's probes all
 * pass, and each echo server's access log holds exactly the requests the scripts sent it, from the
 * sender's own address. No packets and no processes. Used for the simulated labs of bench:mesh,
 * whose API answers are made up (syntheticMeshCluster.ts) or a real API server's over fake nodes
 * (kwokMeshServer.ts); what a pod's reporter files for a plan's entry (`report`) is answered here,
 * the plan and its reports as API objects in simulatedReports.ts.
 */
import { ACCESS_LOG_PLAN } from "../../checks/contract/reports";

/** A pod of the lab: its name, its address, and its UID as the layout lists it (its report's label). */
export interface SimulatedPod {
  readonly name: string;
  readonly ip: string;
  readonly uid: string;
}

/** A node of the lab as its scripts, logs and plans speak of it: its name and its pods. */
export interface SimulatedNode {
  /** Its name, whose plans (planFor) its pods' reporters watch. */
  readonly name: string;
  readonly echo: SimulatedPod;
  readonly client: SimulatedPod;
  readonly probe: SimulatedPod;
  /** flannel.1's address, which a node's own requests leave from. */
  readonly flannel: string;
}

/** The mesh's Service, as its DNS answer names it. */
export interface SimulatedService {
  readonly fqdn: string;
  readonly clusterIp: string;
}

const pinged = (n: number) =>
  `${n} packets transmitted, ${n} packets received, 0% packet loss\nround-trip min/avg/max = 0.1/0.2/0.3 ms`;

/** What each probe a script names prints when its path passes. */
function output(
  name: string,
  links: string,
  uid: (index: number) => string,
  service: SimulatedService,
): string {
  const [kind, index] = [name.replace(/-\d+$/, ""), Number(name.split("-").at(-1))];
  switch (kind) {
    case "pod":
    case "node":
      return uid(index);
    case "ping":
    case "gateway-ping":
      return pinged(2);
    case "mtu":
      return pinged(3);
    case "large":
      return "65536";
    case "service":
      return uid(0);
    case "dns":
      return `Server: 10.43.0.10\n\nName: ${service.fqdn}\nAddress: ${service.clusterIp}`;
    case "ip-addr":
      return "2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP";
    case "links":
      return links;
    default:
      return "";
  }
}

/** What a node probe's `ip addr` prints: its own link, and flannel.1 its node's requests leave from. */
function linksOf(node: SimulatedNode): string {
  return [
    "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP",
    `    inet ${node.probe.ip}/16 scope global eth0`,
    "3: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN",
    `    inet ${node.flannel}/32 scope global flannel.1`,
  ].join("\n");
}

/**
 * The lab's scripts and logs: `script` answers a script run in a pod with what it would print,
 * and logs its requests at their echo servers; `logs` is an echo server's log as `kubectl logs`
 * gives it (nginx's own lines too); `report` is what a pod's reporter files for its plan entry (a
 * script's output, or for `access-log <seconds>` its server's access lines, every one: the
 * simulated log holds only this lab's requests); `uid` is a pod's UID, which its report carries;
 * `node` the name of the node it runs on, whose plans its reporter watches.
 * `nodes` are in the order of the runner's layout, whose index the scripts' probe names carry.
 */
export function simulatedProbes(nodes: readonly SimulatedNode[], service: SimulatedService) {
  const byAddress = new Map(nodes.map((node, i) => [node.echo.ip, i]));
  const byPod = new Map(
    nodes.flatMap((node, i) => [
      [node.echo.name, i],
      [node.client.name, i],
      [node.probe.name, i],
    ]),
  );
  // Each echo server's access log: the JSON lines its nginx writes, kept as they come.
  const accessLogs = nodes.map((): string[] => []);
  const indexOf = (pod: string) => {
    const i = byPod.get(pod);
    if (i === undefined) {
      throw new Error(`the simulated lab has no pod ${pod}`);
    }
    return i;
  };
  const script = (pod: string, text: string): string => {
    const nonce = /^nonce=([0-9a-f]{32})$/m.exec(text)?.[1] ?? "";
    const i = indexOf(pod);
    const client = nodes[i].client.name === pod;
    for (const url of text.matchAll(/http:\/\/([\w.-]+):(\d+)(\/pod-to-pod\/[^'\s]+)/g)) {
      const [, host, port, uri] = url;
      const line = {
        remote: client ? nodes[i].client.ip : nodes[i].flannel,
        method: "GET",
        host: `${host}:${port}`,
        uri,
        status: "200",
      };
      accessLogs[byAddress.get(host) ?? 0].push(JSON.stringify(line));
    }
    const links = linksOf(nodes[i]);
    const names = /for name in ([^;]+); do/.exec(text)?.[1].trim().split(/\s+/) ?? [];
    const lines = names.map((name) => {
      const out = Buffer.from(output(name, links, (j) => nodes[j].echo.uid, service));
      return `${nonce} ${name} rc=0 ms=10 tries=1 out=${out.toString("base64")}`;
    });
    return [...lines, `${nonce} end`, ""].join("\n");
  };
  const accessLog = (pod: string) => accessLogs[indexOf(pod)].map((line) => `${line}\n`).join("");
  return {
    script,
    logs: (pod: string) =>
      `2026/12/05 01:00:00 [notice] 1#1: start worker processes\n${accessLog(pod)}`,
    report: (pod: string, entry: string) =>
      entry.startsWith(`${ACCESS_LOG_PLAN} `) ? accessLog(pod) : script(pod, entry),
    uid(pod: string): string {
      const node = nodes[indexOf(pod)];
      return [node.echo, node.client, node.probe].find((p) => p.name === pod)!.uid;
    },
    node: (pod: string) => nodes[indexOf(pod)].name,
  };
}
