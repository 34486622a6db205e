/**
 * A simulated every-node lab of N nodes, as the runner's kubectl sees it: the API server's answers
 * (nodes, the three DaemonSets' pods, the Service, its EndpointSlices, the run counter), each
 * script's output, every path passing, and each echo server's access log holding exactly the
 * requests the scripts it was sent would have made, from the sender's own address. No packets and
 * no processes: what it measures is the runner's own work around its API requests.
 *
 * Addresses: node i's echo server 10.{i/256}.{i%256}.10, its client .11, its node probe
 * 192.168.{i/256}.{i%256} (and flannel.1's 10.{…}.0, which a node's requests leave from).
 */
import type { KubectlResult } from "../../checks/probe/kubectl";

type Runner = (args: readonly string[], timeoutMs: number) => Promise<KubectlResult>;

const ok = (stdout: string): KubectlResult => ({ code: 0, stderr: "", stdout });

/** Node i's name, and the addresses of its pods. */
function nodeOf(i: number) {
  const net = `${i >> 8}.${i & 255}`;
  return {
    name: `node-${String(i).padStart(4, "0")}`,
    echo: `10.${net}.10`,
    client: `10.${net}.11`,
    probe: `192.168.${net}`,
    flannel: `10.${net}.0`,
    uid: `00000001-0000-4000-8000-${String(i).padStart(12, "0")}`,
  };
}

const pinged = (n: number) =>
  `${n} packets transmitted, ${n} packets received, 0% packet loss\nround-trip min/avg/max = 0.1/0.2/0.3 ms`;

/** What each probe a script names prints when its path passes. */
function output(name: string, links: string, uid: (index: number) => string): string {
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
      return "Server: 10.43.0.10\n\nName: mesh-echo.lab.svc.cluster.local\nAddress: 10.43.7.7";
    case "ip-addr":
      return "2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP";
    case "links":
      return links;
    default:
      return "";
  }
}

/** The simulated lab of `count` nodes, as its kubectl answers. */
export function syntheticMeshCluster(count: number): Runner {
  const nodes = Array.from({ length: count }, (_, i) => nodeOf(i));
  const byAddress = new Map(nodes.map((node, i) => [node.echo, i]));
  // Each echo server's access log: the JSON lines its nginx writes, kept as they come.
  const logs = nodes.map((): string[] => []);
  let counter = "0";
  // The API's objects, as items of a list: every kind a runner of this or an earlier commit reads.
  const kinds = ["mesh-echo", "mesh-client", "mesh-node-probe"];
  const pods = (kind: string) =>
    nodes.map((node, i) => ({
      kind: "Pod",
      metadata: {
        name: `${kind}-${i}`,
        labels: {
          app: kind,
          "app.kubernetes.io/name": kind,
          "app.kubernetes.io/part-of": "pod-to-pod",
        },
        uid: kind === "mesh-echo" ? node.uid : `${kind}-${i}`,
        ownerReferences: [{ kind: "DaemonSet", name: kind, uid: `ds-${kind}`, controller: true }],
      },
      spec: { nodeName: node.name },
      status: {
        podIP: kind === "mesh-echo" ? node.echo : kind === "mesh-client" ? node.client : node.probe,
        conditions: [{ type: "Ready", status: "True" }],
      },
    }));
  const objects: Record<string, () => object[]> = {
    nodes: () => nodes.map((n) => ({ kind: "Node", metadata: { name: n.name }, spec: {} })),
    daemonsets: () =>
      kinds.map((name) => ({ kind: "DaemonSet", metadata: { name, uid: `ds-${name}` } })),
    pods: () => kinds.flatMap(pods),
    services: () => [
      { kind: "Service", metadata: { name: "mesh-echo" }, spec: { clusterIP: "10.43.7.7" } },
    ],
    endpointslices: () => [
      {
        kind: "EndpointSlice",
        metadata: { labels: { "kubernetes.io/service-name": "mesh-echo" } },
        endpoints: nodes.map((node, i) => ({
          addresses: [node.echo],
          conditions: { ready: true },
          targetRef: { kind: "Pod", name: `mesh-echo-${i}`, uid: node.uid },
        })),
      },
    ],
  };
  const list = (items: object[]) => ok(JSON.stringify({ kind: "List", items }));
  const exec = (pod: string, script: string): string => {
    const nonce = /^nonce=([0-9a-f]{32})$/m.exec(script)?.[1] ?? "";
    const i = Number(pod.split("-").at(-1));
    const client = pod.startsWith("mesh-client");
    for (const url of script.matchAll(/http:\/\/([\w.-]+):(\d+)(\/pod-to-pod\/[^'\s]+)/g)) {
      const [, host, port, uri] = url;
      const line = {
        remote: client ? nodes[i].client : nodes[i].flannel,
        method: "GET",
        host: `${host}:${port}`,
        uri,
        status: "200",
      };
      logs[byAddress.get(host) ?? 0].push(JSON.stringify(line));
    }
    const links = [
      "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP",
      `    inet ${nodes[i].probe}/16 scope global eth0`,
      "3: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN",
      `    inet ${nodes[i].flannel}/32 scope global flannel.1`,
    ].join("\n");
    const names = /for name in ([^;]+); do/.exec(script)?.[1].trim().split(/\s+/) ?? [];
    const lines = names.map((name) => {
      const out = Buffer.from(output(name, links, (j) => nodes[j].uid)).toString("base64");
      return `${nonce} ${name} rc=0 ms=10 tries=1 out=${out}`;
    });
    return [...lines, `${nonce} end`, ""].join("\n");
  };
  const run: Runner = async (args) => {
    const [verb, what] = args;
    // Answered on a later turn, as a process's output would be.
    await new Promise((resolve) => setImmediate(resolve));
    if (verb === "exec") {
      return ok(exec(args[3], args.at(-1) ?? ""));
    }
    if (verb === "logs") {
      const i = Number(args[3].split("-").at(-1));
      const lines = logs[i];
      return ok(
        ["2026/12/05 01:00:00 [notice] 1#1: start worker processes", ...lines, ""].join("\n"),
      );
    }
    if (what === "pods") {
      // An earlier runner's read of one kind, by its selector.
      return list(
        pods(kinds.find((kind) => args.some((arg) => arg.includes(`app=${kind}`))) ?? ""),
      );
    }
    if (what === "service") {
      return ok("10.43.7.7");
    }
    if (verb === "get" && what.split(",").every((kind) => kind in objects)) {
      return list(what.split(",").flatMap((kind) => objects[kind]()));
    }
    if (what === "configmap") {
      if (verb === "get") {
        return ok(counter);
      }
      const [, replace] = JSON.parse(args.at(-1) ?? "[]") as Array<{ value: string }>;
      counter = replace.value;
      return ok("configmap/mesh-rotation patched");
    }
    throw new Error(`the synthetic cluster has no answer to kubectl ${args.join(" ")}`);
  };
  return run;
}
