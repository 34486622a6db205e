import {
  MeshEvaluation,
  meshJudge,
  MeshRun,
  MeshService,
} from "../../../../checks/scenarios/mesh/paths";
import { MeshCoverage, meshCoverage } from "../../../../checks/scenarios/mesh/coverage";
import { MeshLayout, MeshPlan, MeshPod } from "../../../../checks/contract/meshTypes";
import { WitnessedMesh, witnessMesh } from "../../../../checks/scenarios/mesh/witness";
import { witnessToken } from "../../../../checks/witness/request";
import { Section } from "../../../../checks/probe/script";
import { ServedRequest } from "../../../../checks/witness/accessLog";
import { logEvidence, ServerLogs } from "../../../../checks/witness/witness";
import { TEST_NONCE } from "../../../helpers";

/** A mesh plan as the NodeMesh component writes it, for a lab in namespace `lab`. */
export const meshPlan: MeshPlan = {
  namespace: "lab",
  echoSelector: "app=mesh-echo",
  clientSelector: "app=mesh-client",
  nodeProbeSelector: "app=mesh-node-probe",
  echoDaemonSet: "mesh-echo",
  clientDaemonSet: "mesh-client",
  nodeProbeDaemonSet: "mesh-node-probe",
  clientContainer: "busybox",
  nodeProbeContainer: "probe",
  serviceName: "mesh-echo",
  servicePort: 80,
  echoPort: 80,
  nodePort: 9080,
  clusterDomain: "cluster.local",
  timeoutSeconds: 1,
  parallelism: 8,
  allPairsUpTo: 32,
  rotationConfigMap: "mesh-rotation",
};

/** The token of every mesh script's requests: each script with the test's nonce. */
export const tokenOf: TokenOf = () => witnessToken(TEST_NONCE);

/** The UID of the echo server on node `i`. */
export function echoUid(i: number): string {
  return `${String(i).padStart(8, "0")}-0000-4000-8000-${String(i).padStart(12, "0")}`;
}

/** Nodes n1, n2, … each with a Ready echo server (10.42.i.10), client and node probe. */
export function layoutOf(count: number): MeshLayout {
  const nodes = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const pods = (kind: string, ip: (i: number) => string, uid: (i: number) => string) =>
    new Map<string, MeshPod>(
      nodes.map((node, i) => [
        node,
        { name: `${kind}-${node}`, node, ip: ip(i), uid: uid(i), ready: true },
      ]),
    );
  return {
    nodes,
    echo: pods("mesh-echo", (i) => `10.42.${i}.10`, echoUid),
    clients: pods(
      "mesh-client",
      (i) => `10.42.${i}.11`,
      (i) => `c${i}`,
    ),
    nodeProbes: pods(
      "mesh-node-probe",
      (i) => `192.168.240.${i + 1}`,
      (i) => `p${i}`,
    ),
    missing: [],
    ignored: [],
  };
}

/** The mesh's Service on `layout`: every echo server a ready endpoint of it. */
export function serviceOf(layout: MeshLayout): MeshService {
  return {
    name: "mesh-echo",
    fqdn: "mesh-echo.lab.svc.cluster.local",
    clusterIp: "10.43.7.7",
    endpoints: [...layout.echo.values()].map((pod) => ({
      ip: pod.ip,
      podName: pod.name,
      podUid: pod.uid,
      ready: true,
    })),
  };
}

/** A section as the script prints it, read back. */
export function section(rc: number, output: string, ms = 10): Section {
  return { rc, ms, tries: 1, output };
}

/** busybox ping's statistics for `received` of `sent`. */
export function pingOutput(sent: number, received: number): string {
  return `${sent} packets transmitted, ${received} packets received, ${Math.round((100 * (sent - received)) / sent)}% packet loss${received > 0 ? "\nround-trip min/avg/max = 0.1/0.2/0.3 ms" : ""}`;
}

/** How one path behaves, for the sections a client's script would print. */
export type PathBehaviour = "pass" | "mtu" | "down";

/** The sections of a client's script, every target behaving as given (default: pass). */
export function clientSections(
  count: number,
  behaviour: (target: number) => PathBehaviour = () => "pass",
  own: Partial<Record<"service" | "dns" | "gateway-ping", Section>> = {},
): Map<string, Section> {
  const sections = new Map<string, Section>();
  for (let i = 0; i < count; i++) {
    const how = behaviour(i);
    if (how === "down") {
      sections.set(`pod-${i}`, section(124, "", 3000));
      sections.set(`ping-${i}`, section(1, pingOutput(2, 0), 1000));
      continue;
    }
    sections.set(`pod-${i}`, section(0, echoUid(i)));
    sections.set(`ping-${i}`, section(0, pingOutput(2, 2)));
    sections.set(
      `large-${i}`,
      section(0, how === "mtu" ? "Terminated\n2896" : "65536", how === "mtu" ? 2000 : 30),
    );
    sections.set(`mtu-${i}`, section(how === "mtu" ? 1 : 0, pingOutput(3, how === "mtu" ? 0 : 3)));
  }
  sections.set("service", own.service ?? section(0, echoUid(0)));
  sections.set(
    "dns",
    own.dns ??
      section(0, "Server: 10.43.0.10\n\nName: mesh-echo.lab.svc.cluster.local\nAddress: 10.43.7.7"),
  );
  sections.set("gateway-ping", own["gateway-ping"] ?? section(0, pingOutput(2, 2)));
  sections.set(
    "ip-addr",
    section(0, "2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP"),
  );
  return sections;
}

/** The sections of a node probe's script: every other node's echo server answering, or not. */
export function nodeSections(
  count: number,
  self: number,
  answers: (target: number) => boolean = () => true,
  links = "",
): Map<string, Section> {
  const sections = new Map<string, Section>();
  for (let i = 0; i < count; i++) {
    if (i !== self) {
      sections.set(`node-${i}`, answers(i) ? section(0, echoUid(i)) : section(124, "", 3000));
    }
  }
  sections.set("links", section(0, links));
  return sections;
}

/**
 * The echo servers' logs of a healthy run: each served every request its scripts report, from
 * the sender's own address (for a node probe with unknown links, its node IP).
 */
export function everyClaimLogged(layout: MeshLayout, evaluation: MeshEvaluation): ServerLogs {
  const logs = new Map<string, Map<string, ServedRequest[]>>(
    layout.nodes.map((node) => [node, new Map()]),
  );
  for (const claim of evaluation.claims) {
    const from = claim.probe.split("/")[1].split("->")[0];
    const remote = claim.sources?.[0] ?? layout.nodeProbes.get(from)!.ip;
    logs.get(claim.server)!.set(claim.probe, [{ remote, ...claim.request, status: 200 }]);
  }
  return logs;
}

/** The evaluation with the server's side of a healthy run added. */
export function witnessedHealthy(layout: MeshLayout, evaluation: MeshEvaluation): WitnessedMesh {
  return witnessMesh(layout, evaluation, logEvidence(everyClaimLogged(layout, evaluation)));
}

/** The token a script's requests carried: one per script, by its kind and node. */
export type TokenOf = (kind: "client" | "node", from: string) => string;

/**
 * Every script's sections judged at once, as the runner judges each as its exec ends (meshJudge):
 * each client node to each echo server, each node to the echo servers of the other nodes, each
 * client's own probes, each node's links, and the claims the echo servers' logs must bear out.
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
  const judge = meshJudge(plan, layout, service, coverage);
  const read = <R>(runs: ReadonlyMap<string, MeshRun>, as: (from: string, run: MeshRun) => R) =>
    new Map([...runs].map(([from, run]) => [from, as(from, run)]));
  return judge.evaluation(
    read(clientRuns, (from, run) => judge.client(from, run, tokenOf("client", from))),
    read(nodeRuns, (from, run) => judge.node(from, run, tokenOf("node", from))),
  );
}
