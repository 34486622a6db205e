/**
 * `npm run bench`: how long the lab takes to reach a verified network with the real engine, against
 * the walkthrough done by hand with kubectl, side by side on the local cluster
 * (`local-cluster/cluster.sh up` first; KUBECONFIG set). Writes bench/results.json.
 *
 *   A  `pulumi up` from nothing to every check passed (then `pulumi destroy`, timed on its own)
 *   B  the walkthrough as a person types it: kubectl apply of its two Pods and Service (local
 *      images), wait Ready, wget the pod IP, wget nginx-service (retrying, as a person would),
 *      ping -c 4 (then delete, not timed)
 *   N/P  a no-change `pulumi up` against a `pulumi preview` of the same stack
 *   C  the check step alone: the runner the ConnectivityCheck starts, against the deployed lab
 *
 * Pairs alternate A B A B… (and N P N P…) so drift hits both sides alike; medians and the ratio
 * pair by pair. A's split per resource comes from the engine's own events. Engine operations are
 * timed from the call to the engine's summary event: the Automation API's own reads afterwards
 * (outputs, history) are not what a user of `pulumi up` waits for.
 *
 * Usage: tsx tools/bench.ts [pairs=5]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { parseAllDocuments } from "yaml";
import { toEnvironment } from "../checks/environment";
import { runnerVersion } from "../checks/runner";
import { harness, recorder, Step, uniqueStack, useLocalImages } from "./lib/engine";
import { observePlan } from "./lib/kubectlLab";
import { mustRun, PROJECT_DIR, runCommand } from "./lib/runCommand";

const STATE = process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod";
const pairs = Number(process.argv[2] ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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

/** B: the walkthrough typed out, as fast as kubectl allows; the delete afterwards is not timed. */
function runB(namespace: string): number {
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

/** How long each kind of resource took in one engine operation, from its events. */
function split(steps: Step[]): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const step of steps) {
    if (step.doneMs === undefined || step.type.startsWith("pod-to-pod:") || step.op === "same") {
      continue;
    }
    const name = `${step.type.split(":").pop()} ${step.urn.split("::").pop()}`;
    byName[name] = (step.doneMs - step.startedMs) / 1000;
  }
  return byName;
}

/** Runs an engine operation; returns its result and the seconds until the engine's summary. */
async function timed<T>(
  operation: (onEvent: ReturnType<typeof recorder>["onEvent"]) => Promise<T>,
): Promise<{ result: T; seconds: number; steps: Step[] }> {
  const events = recorder();
  const started = Date.now();
  const result = await operation((event) => events.onEvent(event));
  const ended = events.summaryMs ?? Date.now();
  return { result, seconds: (ended - started) / 1000, steps: events.steps };
}

/** A: pulumi up from nothing to verified; then destroy, timed on its own. */
async function runA(stack: Stack): Promise<{ up: number; destroy: number; split: object }> {
  const { result, seconds: up, steps } = await timed((onEvent) => stack.up({ onEvent }));
  const verification = result.outputs.verification?.value as { failed: number } | undefined;
  if (!verification || verification.failed !== 0) {
    throw new Error(`A: pulumi up did not verify the network: ${result.outputs.report?.value}`);
  }
  const destroy = await timed((onEvent) => stack.destroy({ onEvent }));
  return { up, destroy: destroy.seconds, split: split(steps) };
}

/** C: the check runner alone against the lab A deployed, started as the ConnectivityCheck does. */
function runC(namespace: string): number {
  const plan = observePlan(namespace, {
    servicePort: 80,
    serverPort: 80,
    clusterDomain: "cluster.local",
    pingCount: 4,
    timeoutSeconds: 5,
  });
  return mustRun("node", ["--import", "tsx", "checks/run.ts"], {
    env: toEnvironment(plan, { reportOnly: false, runnerVersion: runnerVersion() }),
  }).seconds;
}

async function main(): Promise<void> {
  const kubeconfig = process.env.KUBECONFIG ?? path.join(STATE, "kubeconfig.yaml");
  const engine = await harness(kubeconfig);
  const namespaceA = "p2p-bench-a";
  const namespaceB = "p2p-bench-b";
  runCommand("kubectl", ["create", "namespace", namespaceB]);
  const stack = await engine.stack(uniqueStack("bench"));
  try {
    await useLocalImages(stack);
    await stack.setConfig("pod-to-pod:namespace", { value: namespaceA });
    // One unmeasured round first: the engine's and the cluster's first-time costs.
    await stack.up();
    await stack.destroy();

    const rows = [];
    for (let pair = 1; pair <= pairs; pair++) {
      const a = await runA(stack);
      const b = runB(namespaceB);
      const row = { pair, aUp: a.up, b, ratio: a.up / b, aDestroy: a.destroy, aSplit: a.split };
      rows.push(row);
      console.log(JSON.stringify(row));
    }

    await stack.up();
    const steady = [];
    for (let pair = 1; pair <= pairs; pair++) {
      const up = await timed((onEvent) => stack.up({ onEvent }));
      const noChangeUp = up.seconds;
      if (Object.keys(up.result.summary.resourceChanges ?? {}).some((op) => op !== "same")) {
        throw new Error(`the no-change up changed something: ${JSON.stringify(up.result.summary)}`);
      }
      const preview = (await timed((onEvent) => stack.preview({ onEvent }))).seconds;
      steady.push({ pair, noChangeUp, preview, ratio: noChangeUp / preview });
      console.log(JSON.stringify(steady[steady.length - 1]));
    }
    const checkStep = Array.from({ length: pairs }, () => runC(namespaceA));
    await stack.destroy();

    const results = {
      command: `npm run bench -- ${pairs}`,
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        kernel: os.release(),
        node: process.version,
        pulumi: engine.command.version?.toString(),
      },
      pairs: rows,
      steady,
      checkStepSeconds: checkStep,
      medians: {
        aUpSeconds: median(rows.map((r) => r.aUp)),
        bSeconds: median(rows.map((r) => r.b)),
        upOverWalkthrough: median(rows.map((r) => r.ratio)),
        destroySeconds: median(rows.map((r) => r.aDestroy)),
        noChangeUpSeconds: median(steady.map((r) => r.noChangeUp)),
        previewSeconds: median(steady.map((r) => r.preview)),
        noChangeUpOverPreview: median(steady.map((r) => r.ratio)),
        checkStepSeconds: median(checkStep),
      },
    };
    fs.mkdirSync(path.join(PROJECT_DIR, "bench"), { recursive: true });
    fs.writeFileSync(
      path.join(PROJECT_DIR, "bench/results.json"),
      JSON.stringify(results, null, 2) + "\n",
    );
    console.log(JSON.stringify(results.medians));
  } finally {
    await stack.destroy().catch(() => undefined);
    await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    runCommand("kubectl", ["delete", "namespace", namespaceB, "--wait=false"]);
    engine.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
