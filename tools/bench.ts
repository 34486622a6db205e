/**
 * `npm run bench`: how long the lab takes to reach a verified network, against the walkthrough's
 * hand-run kubectl procedure, on the local cluster (scripts/test.sh or local-cluster/cluster.sh up first;
 * KUBECONFIG set). Runs alternate A B A B… so drift hits both sides alike, and reports medians and
 * the A/B ratio pair by pair. Writes bench/results.json.
 *
 *   A  pulumi up from nothing to all checks passed, then pulumi destroy (needs the Pulumi toolchain)
 *   B  the walkthrough as a script: kubectl apply of its two Pods and Service (local images),
 *      wait until Ready, exec wget to the pod IP and to nginx-service, ping -c 4, delete
 *   C  the check step alone: the runner the ConnectivityCheck starts, against a deployed lab
 *
 * Usage: tsx tools/bench.ts [pairs=5]
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { toEnvironment } from "../checks/environment";
import { observePlan } from "./lib/kubectlLab";
import { mustRun } from "./lib/runCommand";

const ROOT = path.resolve(__dirname, "..");
const STATE = process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod";
const pairs = Number(process.argv[2] ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The walkthrough's own manifests (from its second document), pointed at the local images. */
function walkthroughManifests(namespace: string): string {
  const text = fs.readFileSync(path.join(ROOT, "test/policy/fixtures/walkthrough.md"), "utf8");
  const images = JSON.parse(fs.readFileSync(path.join(STATE, "images.json"), "utf8")) as Record<
    string,
    string
  >;
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

/** kubectl apply of the walkthrough's Pods and Service, then wait until both pods are Ready. */
function applyWalkthrough(namespace: string): void {
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
}

/** B: the walkthrough typed out, as fast as kubectl allows. */
function runB(namespace: string): number {
  const started = process.hrtime.bigint();
  applyWalkthrough(namespace);
  const ip = mustRun("kubectl", [
    "get",
    "pod",
    "-n",
    namespace,
    "nginx-server",
    "-o",
    "jsonpath={.status.podIP}",
  ]).stdout.trim();
  // The Service needs an endpoint before a wget through it can work; a person would retry too.
  for (let i = 0; i < 100; i++) {
    const endpoints = mustRun("kubectl", [
      "get",
      "endpoints",
      "-n",
      namespace,
      "nginx-service",
      "-o",
      "jsonpath={.subsets[*].addresses[*].ip}",
    ]);
    if (endpoints.stdout.trim() !== "") {
      break;
    }
  }
  const exec = (...args: string[]) =>
    mustRun("kubectl", ["exec", "-n", namespace, "busybox-client", "--", ...args]);
  exec("wget", "-qO-", `http://${ip}`);
  exec("wget", "-qO-", "nginx-service");
  exec("ping", "-c", "4", ip);
  mustRun("kubectl", [
    "delete",
    "-n",
    namespace,
    "pod/nginx-server",
    "pod/busybox-client",
    "service/nginx-service",
    "--wait=true",
  ]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function havePulumi(): boolean {
  return spawnSync("pulumi", ["version"], { encoding: "utf8" }).status === 0;
}

/** A: pulumi up from nothing to verified, then destroy, on a scratch stack. */
function runA(stack: string): { up: number; destroy: number } {
  const timed = (operation: "up" | "destroy") =>
    mustRun("pulumi", [operation, "--yes", "--skip-preview", "--stack", stack, "--non-interactive"])
      .seconds;
  const up = timed("up");
  return { up, destroy: timed("destroy") };
}

/** C: the check runner alone against the lab B deployed, as the ConnectivityCheck would start it. */
function runC(namespace: string): number {
  applyWalkthrough(namespace);
  // The walkthrough's objects have the names ours have, and its client container is busybox too.
  const plan = observePlan(namespace, {
    servicePort: 80,
    serverPort: 80,
    clusterDomain: "cluster.local",
    pingCount: 4,
    timeoutSeconds: 5,
  });
  const run = mustRun("node_modules/.bin/tsx", ["checks/run.ts"], {
    env: toEnvironment(plan, { reportOnly: false }),
  });
  return run.seconds;
}

function main(): void {
  const namespace = "p2p-bench";
  spawnSync("kubectl", ["create", "namespace", namespace], { encoding: "utf8" });
  const pulumiAvailable = havePulumi();
  const stack = `bench-${process.pid}`;
  if (pulumiAvailable) {
    mustRun("pulumi", ["stack", "init", stack, "--non-interactive"]);
  } else {
    console.log("A not measured: the Pulumi toolchain is not installed here (docs/toolchain.md).");
  }
  const rows: Array<{
    pair: number;
    aUp?: number;
    aDestroy?: number;
    a?: number;
    b: number;
    ratio?: number;
  }> = [];
  for (let pair = 1; pair <= pairs; pair++) {
    const a = pulumiAvailable ? runA(stack) : undefined;
    const b = runB(namespace);
    const row = {
      pair,
      b,
      ...(a
        ? { aUp: a.up, aDestroy: a.destroy, a: a.up + a.destroy, ratio: (a.up + a.destroy) / b }
        : {}),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  const checkStep = Array.from({ length: pairs }, () => runC(namespace));
  spawnSync("kubectl", ["delete", "namespace", namespace, "--wait=true"], { encoding: "utf8" });
  if (pulumiAvailable) {
    mustRun("pulumi", ["stack", "rm", "--yes", "--force", "--stack", stack, "--non-interactive"]);
  }
  const npmTest = mustRun("npm", ["test", "--silent"]).seconds;
  const results = {
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(),
      node: process.version,
    },
    pairs: rows,
    medians: {
      bSeconds: median(rows.map((r) => r.b)),
      ...(pulumiAvailable
        ? { aSeconds: median(rows.map((r) => r.a!)), ratio: median(rows.map((r) => r.ratio!)) }
        : {}),
      checkStepSeconds: median(checkStep),
    },
    checkStepSeconds: checkStep,
    npmTestSeconds: npmTest,
    notMeasured: pulumiAvailable
      ? []
      : ["A (pulumi up + destroy)", "no-change pulumi up", "pulumi preview"],
  };
  fs.mkdirSync(path.join(ROOT, "bench"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "bench/results.json"), JSON.stringify(results, null, 2) + "\n");
  console.log(JSON.stringify(results.medians));
}

main();
