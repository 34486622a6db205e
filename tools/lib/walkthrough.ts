/**
 * The bench's kubectl side: the walkthrough as a person types it (B), the floors (a bare Pod's
 * create-to-Ready, a namespace's delete), and what a destroy may have left behind.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { mustRun, PROJECT_DIR, runCommand } from "./runCommand";
import { NO_GRACE } from "../../components/podGrace";
import { REFUSAL_FLOOR_MS } from "../../checks/plan/paths";
import { refusedGet } from "../../checks/probe/commands";

const STATE = process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod";

/** The local cluster's images (built from Debian packages, never pulled), by name. */
export function localImages(): Record<string, string> {
  return JSON.parse(fs.readFileSync(path.join(STATE, "images.json"), "utf8")) as Record<
    string,
    string
  >;
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The label B gives its client, for the policy that lets it into nginx. */
const CLIENT_LABEL = { app: "busybox-client" };

/**
 * The NetworkPolicies the program applies with isolation on (components/labNetworkPolicy.ts), as a
 * person would write them for the walkthrough's pods: no pod of the namespace takes traffic from
 * other pods, and nginx takes it from the busybox client alone.
 */
function isolationPolicies(namespace: string): object[] {
  const policy = (name: string, spec: object) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec,
  });
  return [
    policy("pod-to-pod-default-deny", { podSelector: {}, policyTypes: ["Ingress"] }),
    policy("nginx-allow-client", {
      podSelector: { matchLabels: { app: "nginx" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: CLIENT_LABEL } }] }],
    }),
  ];
}

/** How B deploys the lab: the walkthrough's open lab, or isolated as the program isolates it. */
export interface WalkthroughOptions {
  /** The program's NetworkPolicies, and a stranger (the walkthrough's client, copied) they refuse. */
  readonly isolation: boolean;
}

/**
 * The walkthrough's own manifests (from its second document), pointed at the local images; with
 * isolation, the client labelled for the policies, the policies, and the stranger pod.
 */
export function walkthroughManifests(namespace: string, options: WalkthroughOptions): string {
  const text = fs.readFileSync(
    path.join(PROJECT_DIR, "test/policy/fixtures/walkthrough.md"),
    "utf8",
  );
  const images = localImages();
  const docs = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .flatMap((m) => parseAllDocuments(m[1]).map((d) => d.toJS()))
    .filter((d) => d && (d.kind === "Pod" || d.kind === "Service"));
  for (const doc of docs) {
    doc.metadata.namespace = namespace;
    for (const container of doc.spec.containers ?? []) {
      container.image = container.image.startsWith("nginx") ? images.nginx : images.busybox;
      container.imagePullPolicy = "Never";
    }
  }
  if (!options.isolation) {
    return JSON.stringify({ apiVersion: "v1", kind: "List", items: docs });
  }
  const client = docs.find((d) => d.kind === "Pod" && d.metadata.name === "busybox-client");
  if (!client) {
    throw new Error("the walkthrough has no busybox-client pod");
  }
  client.metadata.labels = { ...client.metadata.labels, ...CLIENT_LABEL };
  const stranger = structuredClone(client);
  stranger.metadata = { name: "stranger-client", namespace, labels: { app: "stranger" } };
  return JSON.stringify({
    apiVersion: "v1",
    kind: "List",
    items: [...docs, stranger, ...isolationPolicies(namespace)],
  });
}

/**
 * B: the walkthrough typed out, as fast as kubectl allows: apply its Pods and Service, wait Ready,
 * wget the pod IP, wget nginx-service until it answers, ping -c 4. With isolation, as the program
 * with isolation on (its default) does: the policies and the stranger applied with the rest, and
 * the stranger's wget to the pod IP refused. Returns its seconds; the delete afterwards is not
 * timed.
 */
export function runWalkthrough(namespace: string, options: WalkthroughOptions): number {
  const started = process.hrtime.bigint();
  mustRun("kubectl", ["apply", "-f", "-"], { input: walkthroughManifests(namespace, options) });
  const pods = ["pod/nginx-server", "pod/busybox-client"];
  if (options.isolation) {
    pods.push("pod/stranger-client");
  }
  mustRun("kubectl", ["wait", "-n", namespace, "--for=condition=Ready", ...pods, "--timeout=180s"]);
  const ip = mustRun("kubectl", [
    "get",
    "pod",
    "-n",
    namespace,
    "nginx-server",
    "-o",
    "jsonpath={.status.podIP}",
  ]).stdout.trim();
  const exec = (pod: string, ...args: string[]) =>
    runCommand("kubectl", ["exec", "-n", namespace, pod, "--", ...args]);
  // `timeout`, as a person gives up on a hung wget (busybox's own wget -T crashes, see checks/).
  if (exec("busybox-client", "timeout", "5", "wget", "-qO-", `http://${ip}`).code !== 0) {
    throw new Error("B: wget to the nginx pod IP failed");
  }
  // A person retries the Service until it answers: a new Service needs its name and endpoints.
  let tries = 0;
  while (exec("busybox-client", "timeout", "5", "wget", "-qO-", "nginx-service").code !== 0) {
    if (++tries >= 60) {
      throw new Error("B: nginx-service never answered");
    }
  }
  exec("busybox-client", "ping", "-c", "4", ip);
  // Refused or dropped within the program's deny bound, as the program's check asks.
  if (
    options.isolation &&
    exec("stranger-client", "timeout", "2", "wget", "-qO-", `http://${ip}`).code === 0
  ) {
    throw new Error("B: the stranger reached nginx: the NetworkPolicies are not enforced");
  }
  const elapsed = seconds(started);
  mustRun("kubectl", [
    "delete",
    "-n",
    namespace,
    ...pods,
    "service/nginx-service",
    ...(options.isolation
      ? ["networkpolicy/pod-to-pod-default-deny", "networkpolicy/nginx-allow-client"]
      : []),
    "--wait=true",
    "--grace-period=1",
  ]);
  return elapsed;
}

/**
 * The floor of the stranger's part of a check: one request the policies refuse, from the stranger
 * of the deployed lab to nginx's pod IP, waited for as the runner waits at the least (its bound's
 * floor, REFUSAL_FLOOR_MS).
 */
export function refusedRequest(namespace: string, ip: string): number {
  const run = runCommand("kubectl", [
    "exec",
    "-n",
    namespace,
    "stranger-client",
    "--",
    "sh",
    "-c",
    `read a _ < /proc/uptime; ( ${refusedGet(`http://${ip}/`, String(REFUSAL_FLOOR_MS), 2)} ) >/dev/null 2>&1; rc=$?; read b _ < /proc/uptime; echo "$rc $a $b"`,
  ]);
  const [rc, a, b] = run.stdout.trim().split(" ");
  if (run.code !== 0 || rc === "0") {
    throw new Error(`the stranger's wget to ${ip} was not refused: ${run.stdout}${run.stderr}`);
  }
  return Number(b) - Number(a);
}

/**
 * A bare busybox Pod: no probes, no volumes; it stops at once on SIGTERM, and has the lab's pods'
 * grace period (none), so a floor of a delete is the lab's.
 */
function barePod(namespace: string, name: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: {
      terminationGracePeriodSeconds: NO_GRACE,
      automountServiceAccountToken: false,
      containers: [
        {
          name: "busybox",
          image: localImages().busybox,
          imagePullPolicy: "Never",
          command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 3600 & wait $!; done"],
        },
      ],
    },
  });
}

/** The floor of a pod step: a bare Pod from `kubectl apply` to Ready (it is then deleted). */
export function barePodToReady(namespace: string): number {
  const started = process.hrtime.bigint();
  mustRun("kubectl", ["apply", "-f", "-"], { input: barePod(namespace, "bench-floor") });
  mustRun("kubectl", [
    "wait",
    "-n",
    namespace,
    "--for=condition=Ready",
    "pod/bench-floor",
    "--timeout=180s",
  ]);
  const elapsed = seconds(started);
  mustRun("kubectl", ["delete", "-n", namespace, "pod/bench-floor", "--wait=true"]);
  return elapsed;
}

/**
 * The floor of a destroy: a namespace holding two bare Pods, from `kubectl delete namespace` to
 * gone (the namespace controller deleting the pods, then the namespace).
 */
export function namespaceDelete(namespace: string): number {
  mustRun("kubectl", ["create", "namespace", namespace]);
  mustRun("kubectl", ["apply", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: [barePod(namespace, "floor-a"), barePod(namespace, "floor-b")].map((p) =>
        JSON.parse(p),
      ),
    }),
  });
  mustRun("kubectl", [
    "wait",
    "-n",
    namespace,
    "--for=condition=Ready",
    "pod/floor-a",
    "pod/floor-b",
    "--timeout=180s",
  ]);
  const started = process.hrtime.bigint();
  mustRun("kubectl", ["delete", "namespace", namespace, "--wait=true", "--timeout=180s"]);
  return seconds(started);
}

/**
 * What is left of the lab in `namespace` (the namespace itself when `ownNamespace`, and any pod,
 * Service or ConfigMap of the lab), as kubectl sees it right after a destroy returned.
 */
export function leftovers(namespace: string, ownNamespace: boolean): string[] {
  const left: string[] = [];
  if (ownNamespace) {
    const ns = runCommand("kubectl", ["get", "namespace", namespace, "-o", "name"]);
    if (ns.code === 0) {
      left.push(ns.stdout.trim());
    } else if (!/not ?found/i.test(ns.stderr)) {
      throw new Error(`kubectl get namespace ${namespace}: ${ns.stderr.trim()}`);
    }
  }
  const objects = mustRun("kubectl", [
    "get",
    "pods,services,configmaps,networkpolicies",
    "-n",
    namespace,
    "-l",
    "app.kubernetes.io/part-of=pod-to-pod",
    "-o",
    "name",
    "--ignore-not-found",
  ]).stdout;
  left.push(...objects.split("\n").filter((line) => line.trim() !== ""));
  return left;
}
