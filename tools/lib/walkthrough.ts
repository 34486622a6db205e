/**
 * The bench's kubectl side: the walkthrough as a person types it (B), the floors (a bare Pod's
 * create-to-Ready, a namespace's delete), and what a destroy may have left behind.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { mustRun, PROJECT_DIR, runCommand } from "./runCommand";

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

/** The walkthrough's own manifests (from its second document), pointed at the local images. */
function walkthroughManifests(namespace: string): string {
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
  return JSON.stringify({ apiVersion: "v1", kind: "List", items: docs });
}

/**
 * B: the walkthrough typed out, as fast as kubectl allows: apply its Pods and Service, wait Ready,
 * wget the pod IP, wget nginx-service until it answers, ping -c 4. Returns its seconds; the delete
 * afterwards is not timed.
 */
export function runWalkthrough(namespace: string): number {
  const started = process.hrtime.bigint();
  mustRun("kubectl", ["apply", "-f", "-"], { input: walkthroughManifests(namespace) });
  mustRun("kubectl", [
    "wait",
    "-n",
    namespace,
    "--for=condition=Ready",
    "pod/nginx-server",
    "pod/busybox-client",
    "--timeout=180s",
  ]);
  const ip = mustRun("kubectl", [
    "get",
    "pod",
    "-n",
    namespace,
    "nginx-server",
    "-o",
    "jsonpath={.status.podIP}",
  ]).stdout.trim();
  const exec = (...args: string[]) =>
    runCommand("kubectl", ["exec", "-n", namespace, "busybox-client", "--", ...args]);
  // `timeout`, as a person gives up on a hung wget (busybox's own wget -T crashes, see checks/).
  if (exec("timeout", "5", "wget", "-qO-", `http://${ip}`).code !== 0) {
    throw new Error("B: wget to the nginx pod IP failed");
  }
  // A person retries the Service until it answers: a new Service needs its name and endpoints.
  let tries = 0;
  while (exec("timeout", "5", "wget", "-qO-", "nginx-service").code !== 0) {
    if (++tries >= 60) {
      throw new Error("B: nginx-service never answered");
    }
  }
  exec("ping", "-c", "4", ip);
  const elapsed = seconds(started);
  mustRun("kubectl", [
    "delete",
    "-n",
    namespace,
    "pod/nginx-server",
    "pod/busybox-client",
    "service/nginx-service",
    "--wait=true",
    "--grace-period=1",
  ]);
  return elapsed;
}

/** A bare busybox Pod: no probes, no volumes; it stops at once on SIGTERM. */
function barePod(namespace: string, name: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: {
      terminationGracePeriodSeconds: 1,
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
    "pods,services,configmaps",
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
