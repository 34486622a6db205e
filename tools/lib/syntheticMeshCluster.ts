/**
 * A simulated every-node lab of N nodes, as the runner's kubectl sees it: the API server's answers
 * (nodes, the three DaemonSets' pods, the Service, its EndpointSlices, the run counter) made up
 * here, each script's output and each echo server's log from simulatedProbes.ts, handed over as
 * the pods' reports (simulatedReports.ts). No packets and no processes: what it measures is the
 * runner's own work around its API requests.
 *
 * Addresses: node i's echo server 10.{i/256}.{i%256}.10, its client .11, its node probe
 * 192.168.{i/256}.{i%256} (and flannel.1's 10.{…}.0, which a node's requests leave from).
 */
import type { KubectlResult } from "../../checks/probe/kubectl";
import { simulatedProbes } from "./simulatedProbes";
import { simulatedReports } from "./simulatedReports";

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

/** The simulated lab of `count` nodes, as its kubectl answers. */
export function syntheticMeshCluster(count: number): Runner {
  const nodes = Array.from({ length: count }, (_, i) => nodeOf(i));
  // A pod's UID, as the Pod object lists it and its report is labelled with it.
  const uidOf = (kind: string, i: number) => (kind === "mesh-echo" ? nodes[i].uid : `${kind}-${i}`);
  const pod = (kind: string, i: number, ip: string) => ({
    name: `${kind}-${i}`,
    ip,
    uid: uidOf(kind, i),
  });
  const probes = simulatedProbes(
    nodes.map((node, i) => ({
      name: node.name,
      echo: pod("mesh-echo", i, node.echo),
      client: pod("mesh-client", i, node.client),
      probe: pod("mesh-node-probe", i, node.probe),
      flannel: node.flannel,
    })),
    { fqdn: "mesh-echo.lab.svc.cluster.local", clusterIp: "10.43.7.7" },
  );
  const reports = simulatedReports(probes);
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
        uid: uidOf(kind, i),
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
  const run: Runner = async (args) => {
    const [verb, what] = args;
    // Answered on a later turn, as a process's output would be.
    await new Promise((resolve) => setImmediate(resolve));
    const reported = reports.answer(args);
    if (reported) {
      return reported;
    }
    // A baseline's runner may still exec its scripts (before 65f986e) or read the echo servers'
    // logs (before e1b13cf): bench:report runs HEAD~1 beside this checkout by default.
    if (verb === "exec") {
      return ok(probes.script(args[3], args.at(-1) ?? ""));
    }
    if (verb === "logs") {
      return ok(probes.logs(args[3]));
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
