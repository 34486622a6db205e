/**
 * `npm run bench`: how long the lab takes with the real engine, side by side on the local cluster
 * (`local-cluster/cluster.sh up` first; KUBECONFIG set), against the walkthrough by kubectl and
 * against the project as it was before the speed work (issue #23). Appends the run to
 * bench/results.json.
 *
 *   A      `pulumi up` from nothing to every check passed, then `pulumi destroy` (nothing may be
 *          left behind); "now" is this checkout, "then" the baseline commit (BENCH_BASELINE,
 *          default BASELINE below), exported with git archive and sharing node_modules
 *   B      the walkthrough as a person types it (tools/lib/walkthrough.ts), isolated as the program
 *          isolates it by default: the same NetworkPolicies, and a stranger whose wget they refuse
 *   P      `pulumi preview` of the deployed stack, now and then; N a no-change `pulumi up`
 *   C      the check step alone: this checkout's runner (`node checks/start.js`) and the
 *          baseline's, as its command started it (its checks/start.js, or, before there was one,
 *          `node --import tsx checks/run.ts`), against the deployed lab; and now's with the
 *          client's probes alone (no stranger), against the same lab
 *   floors an empty program's preview (started as now, and as then), a one-object Kubernetes
 *          program's preview (started as now), a bare Pod's create-to-Ready,
 *          a namespace's delete, a bare `kubectl exec`, one request the policies refuse
 *
 * Every side of a comparison runs in the same round, in alternating order, so the load of this
 * shared machine hits both alike; the goals are medians of the pair-by-pair ratios. Times are the
 * CLI's wall time (spawn to exit). One extra traced round (`--otel-traces`) gives the breakdown;
 * its times are not in the pairs.
 *
 * Usage: tsx tools/bench.ts [pairs=5]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { toEnvironment } from "../checks/contract/environment";
import { runnerVersion } from "../checks/runner";
import {
  emptyProgram,
  oneObjectProgram,
  projectAt,
  resolveRevision,
  ScratchProject,
} from "./lib/benchProjects";
import { formatGoal, goal, median, round3 } from "./lib/benchStats";
import { phasesOf, stepsOf } from "./lib/breakdown";
import { harness, recorder, uniqueStack, useLocalImages } from "./lib/engine";
import { observePlan } from "./lib/kubectlLab";
import { parseOtlpTrace } from "./lib/otelTrace";
import { mustRun, PROJECT_DIR, runCommand } from "./lib/runCommand";
import { TimedCommand } from "./lib/timedCommand";
import {
  barePodToReady,
  leftovers,
  namespaceDelete,
  refusedRequest,
  runWalkthrough,
} from "./lib/walkthrough";

/** main as it was when the speed work of #23 was merged with it: "today's" program. */
const BASELINE = "4a10bf95df48792b08660598e512f840b8d63009";
/** A round whose engine run failed (this cluster is shared) is run again, this often at most. */
const RETRIES = 4;
const pairs = Number(process.argv[2] ?? 5);
/** B as the programs deploy the lab: isolated (their default). */
const WALKTHROUGH = { isolation: true } as const;

/** One program the bench deploys: this checkout or the baseline. */
interface Side {
  readonly label: "now" | "then";
  readonly stack: Stack;
  readonly namespace: string;
  readonly dir: string;
}

async function main(): Promise<void> {
  if (!Number.isInteger(pairs) || pairs < 1) {
    throw new Error(`pairs must be a positive integer, got "${process.argv[2]}"`);
  }
  const kubeconfig =
    process.env.KUBECONFIG ??
    path.join(process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod", "kubeconfig.yaml");
  const engine = await harness(kubeconfig);
  const cli = new TimedCommand(engine.command);
  const baseline = resolveRevision(process.env.BENCH_BASELINE ?? BASELINE);
  const scratch: ScratchProject[] = [];
  const then = projectAt(baseline);
  scratch.push(then);
  const emptyNow = emptyProgram(PROJECT_DIR);
  const emptyThen = emptyProgram(then.dir);
  const floorNs = "p2p-bench-floor";
  const oneObject = oneObjectProgram(PROJECT_DIR, floorNs);
  scratch.push(emptyNow, emptyThen, oneObject);
  const traces = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-bench-traces-"));
  const stackIn = (dir: string, prefix: string) =>
    LocalWorkspace.createOrSelectStack(
      { stackName: uniqueStack(prefix), workDir: dir },
      { envVars: engine.env, pulumiCommand: cli.command },
    );
  const side = async (label: Side["label"], dir: string, namespace: string): Promise<Side> => {
    const stack = await stackIn(dir, `bench-${label}`);
    await useLocalImages(stack);
    await stack.setConfig("pod-to-pod:namespace", { value: namespace });
    // Isolation on, the program's default: B applies the same policies and stranger (#18 item 8).
    return { label, stack, namespace, dir };
  };
  const now = await side("now", PROJECT_DIR, "p2p-bench-now");
  const old = await side("then", then.dir, "p2p-bench-then");
  const emptyNowStack = await stackIn(emptyNow.dir, "bench-empty-now");
  const emptyThenStack = await stackIn(emptyThen.dir, "bench-empty-then");
  const oneObjectStack = await stackIn(oneObject.dir, "bench-one-object");
  const walkthroughNs = "p2p-bench-b";
  runCommand("kubectl", ["create", "namespace", walkthroughNs]);
  runCommand("kubectl", ["create", "namespace", floorNs]);
  const load = () => os.loadavg().map((l) => round3(l));
  const conditions = { loadBefore: load(), loadAfter: [] as number[] };

  const up = async (s: Side) => {
    const events = recorder();
    const result = await s.stack.up({ onEvent: (e) => events.onEvent(e) });
    const verification = result.outputs.verification?.value as { failed: number } | undefined;
    if (!verification || verification.failed !== 0) {
      throw new Error(
        `${s.label}: pulumi up did not verify the network: ${result.outputs.report?.value}`,
      );
    }
    const run = cli.last("up");
    return { seconds: (run.endedMs - run.startedMs) / 1000, steps: stepsOf(events.steps) };
  };
  const destroy = async (s: Side) => {
    const events = recorder();
    await s.stack.destroy({ onEvent: (e) => events.onEvent(e) });
    const run = cli.last("destroy");
    const left = leftovers(s.namespace, true);
    if (left.length > 0) {
      throw new Error(`${s.label}: pulumi destroy returned with ${left.join(", ")} still there`);
    }
    return { seconds: (run.endedMs - run.startedMs) / 1000, steps: stepsOf(events.steps) };
  };
  const preview = async (stack: Stack) => {
    await stack.preview();
    const run = cli.last("preview");
    return (run.endedMs - run.startedMs) / 1000;
  };

  try {
    console.log(
      `bench: ${pairs} rounds; then = ${baseline.slice(0, 12)}; unmeasured warm-up first`,
    );
    const retried: string[] = [];
    /** Runs `work` again after a failure (the cluster is shared), cleaning up between tries. */
    const withRetries = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await work();
        } catch (error) {
          if (attempt >= RETRIES) {
            throw error;
          }
          const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
          retried.push(`${label}: ${message}`);
          console.log(`${label} failed (${message}); cleaning up and running it again`);
          for (const s of [now, old]) {
            await s.stack.destroy().catch(() => undefined);
          }
          // Time for a restarting cluster (other work shares it) to come back.
          await new Promise((resolve) => setTimeout(resolve, 15_000));
        }
      }
    };
    await withRetries("warm-up", async () => {
      for (const s of [now, old]) {
        await up(s);
        await destroy(s);
      }
      runWalkthrough(walkthroughNs, WALKTHROUGH);
    });

    const rounds = [];
    for (let round = 1; round <= pairs; round++) {
      const [first, second] = round % 2 === 1 ? [now, old] : [old, now];
      const measured = await withRetries(`round ${round}`, async () => {
        const a1 = await up(first);
        const d1 = await destroy(first);
        const b = runWalkthrough(walkthroughNs, WALKTHROUGH);
        const a2 = await up(second);
        const d2 = await destroy(second);
        return { a1, d1, b, a2, d2 };
      });
      const { a1, d1, b, a2, d2 } = measured;
      const [aNow, dNow, aThen, dThen] = first === now ? [a1, d1, a2, d2] : [a2, d2, a1, d1];
      const row = {
        round,
        order: `${first.label}, B, ${second.label}`,
        aNow: round3(aNow.seconds),
        b: round3(b),
        aThen: round3(aThen.seconds),
        upOverWalkthrough: round3(aNow.seconds / b),
        thenUpOverWalkthrough: round3(aThen.seconds / b),
        destroyNow: round3(dNow.seconds),
        destroyThen: round3(dThen.seconds),
        destroyNowOverThen: round3(dNow.seconds / dThen.seconds),
        stepsNow: aNow.steps,
        destroyStepsNow: dNow.steps,
      };
      rounds.push(row);
      console.log(JSON.stringify({ ...row, stepsNow: undefined, destroyStepsNow: undefined }));
    }

    // Both deployed: previews of a deployed stack, a no-change up, and the check step.
    await withRetries("deploying both", async () => {
      await now.stack.up();
      await old.stack.up();
    });
    const steady = [];
    for (let pair = 1; pair <= pairs; pair++) {
      const order = pair % 2 === 1 ? ["now", "then"] : ["then", "now"];
      const p: Record<string, number> = {};
      for (const label of order) {
        p[`preview ${label}`] = await preview(label === "now" ? now.stack : old.stack);
        p[`empty ${label}`] = await preview(label === "now" ? emptyNowStack : emptyThenStack);
      }
      p["one object"] = await preview(oneObjectStack);
      const n = await now.stack.up();
      if (Object.keys(n.summary.resourceChanges ?? {}).some((op) => op !== "same")) {
        throw new Error(`the no-change up changed something: ${JSON.stringify(n.summary)}`);
      }
      const noChange = cli.last("up");
      const row = {
        pair,
        order: order.join(", "),
        previewNow: round3(p["preview now"]),
        previewThen: round3(p["preview then"]),
        previewNowOverThen: round3(p["preview now"] / p["preview then"]),
        emptyPreviewNow: round3(p["empty now"]),
        emptyPreviewThen: round3(p["empty then"]),
        oneObjectPreviewNow: round3(p["one object"]),
        noChangeUpNow: round3((noChange.endedMs - noChange.startedMs) / 1000),
      };
      steady.push(row);
      console.log(JSON.stringify(row));
    }

    const plan = observePlan(now.namespace, {
      servicePort: 80,
      nginx: { port: 80 },
      clusterDomain: "cluster.local",
      checks: { pingCount: 4, timeoutSeconds: 5 },
      coverage: "pair",
    });
    const env = toEnvironment(plan, { reportOnly: false, runnerVersion: runnerVersion() });
    const { policy: _stranger, ...clientPlan } = plan.pair;
    const clientEnv = toEnvironment(
      { pair: clientPlan },
      {
        reportOnly: false,
        runnerVersion: runnerVersion(),
      },
    );
    const checkStep = [];
    for (let pair = 1; pair <= pairs; pair++) {
      const clientOnly = mustRun("node", ["checks/start.js"], { env: clientEnv }).seconds;
      const startNow = () => mustRun("node", ["checks/start.js"], { env }).seconds;
      const thenStart = path.join(then.dir, "checks", "start.js");
      const startThen = () =>
        (fs.existsSync(thenStart)
          ? mustRun("node", [thenStart], { env })
          : mustRun("node", ["--import", "tsx", path.join(then.dir, "checks", "run.ts")], { env })
        ).seconds;
      const [x, y] =
        pair % 2 === 1 ? [startNow(), startThen()] : [startThen(), startNow()].reverse();
      const bareExec = mustRun("kubectl", [
        "exec",
        "-n",
        now.namespace,
        "busybox-client",
        "-c",
        "busybox",
        "--",
        "true",
      ]).seconds;
      const refused = refusedRequest(now.namespace, plan.pair.serverPodIp);
      checkStep.push({
        pair,
        now: round3(x),
        then: round3(y),
        nowClientOnly: round3(clientOnly),
        bareExec: round3(bareExec),
        refusedRequest: round3(refused),
      });
      console.log(JSON.stringify(checkStep[checkStep.length - 1]));
    }

    // The traced round: where the time of each operation goes (not in the pairs: tracing costs).
    const traced = async (name: string, operation: () => Promise<unknown>) => {
      const file = path.join(traces, `${name}.json`);
      cli.traceNextOperation(file);
      await operation();
      try {
        return phasesOf(parseOtlpTrace(fs.readFileSync(file, "utf8")));
      } catch (error) {
        // A breakdown that cannot be drawn is reported as such; the pairs stand without it.
        return [{ phase: `no breakdown: ${(error as Error).message}`, seconds: 0 }];
      }
    };
    const breakdown = {
      previewNow: await traced("preview-now", () => now.stack.preview()),
      previewThen: await traced("preview-then", () => old.stack.preview()),
      emptyPreviewNow: await traced("empty-now", () => emptyNowStack.preview()),
      destroyNow: await traced("destroy-now", () => now.stack.destroy()),
      destroyThen: await traced("destroy-then", () => old.stack.destroy()),
      upNow: await traced("up-now", () => now.stack.up()),
      upThen: await traced("up-then", () => old.stack.up()),
    };
    await now.stack.destroy();
    await old.stack.destroy();

    const floors = [];
    for (let pair = 1; pair <= pairs; pair++) {
      floors.push({
        pair,
        barePodToReady: round3(barePodToReady(floorNs)),
        namespaceDelete: round3(namespaceDelete(`${floorNs}-${pair}`)),
      });
      console.log(JSON.stringify(floors[floors.length - 1]));
    }
    conditions.loadAfter = load();

    const m = (values: number[]) => round3(median(values));
    const medians = {
      aNowSeconds: m(rounds.map((r) => r.aNow)),
      aThenSeconds: m(rounds.map((r) => r.aThen)),
      bSeconds: m(rounds.map((r) => r.b)),
      destroyNowSeconds: m(rounds.map((r) => r.destroyNow)),
      destroyThenSeconds: m(rounds.map((r) => r.destroyThen)),
      previewNowSeconds: m(steady.map((r) => r.previewNow)),
      previewThenSeconds: m(steady.map((r) => r.previewThen)),
      emptyPreviewNowSeconds: m(steady.map((r) => r.emptyPreviewNow)),
      emptyPreviewThenSeconds: m(steady.map((r) => r.emptyPreviewThen)),
      oneObjectPreviewNowSeconds: m(steady.map((r) => r.oneObjectPreviewNow)),
      noChangeUpNowSeconds: m(steady.map((r) => r.noChangeUpNow)),
      checkStepNowSeconds: m(checkStep.map((r) => r.now)),
      checkStepThenSeconds: m(checkStep.map((r) => r.then)),
      checkStepNowClientOnlySeconds: m(checkStep.map((r) => r.nowClientOnly)),
      refusedRequestSeconds: m(checkStep.map((r) => r.refusedRequest)),
      bareExecSeconds: m(checkStep.map((r) => r.bareExec)),
      barePodToReadySeconds: m(floors.map((r) => r.barePodToReady)),
      namespaceDeleteSeconds: m(floors.map((r) => r.namespaceDelete)),
    };
    // What no `up` of the lab can go below: any Kubernetes program's start and plan, one pod's
    // create-to-Ready, and the check step's own floor; none of it the lab's code.
    const aFloor =
      medians.oneObjectPreviewNowSeconds +
      medians.barePodToReadySeconds +
      Math.max(medians.bareExecSeconds, medians.refusedRequestSeconds);
    const goals = [
      goal(
        "A / B: pulumi up from nothing to passing checks over the walkthrough by kubectl",
        rounds.map((r) => r.upOverWalkthrough),
        0.6,
        "ratio",
        {
          what: "a one-object Kubernetes program's preview + a bare Pod to Ready + the check step's floor (the slower of a bare exec and a refused request)",
          seconds: aFloor,
          note: `over B: ${round3(aFloor / medians.bSeconds)}`,
        },
      ),
      goal(
        "preview of the deployed stack, now over then",
        steady.map((r) => r.previewNowOverThen),
        0.65,
        "ratio",
        {
          what: "a one-object Kubernetes program's preview (started as now): the SDKs, the provider, one dry run",
          seconds: medians.oneObjectPreviewNowSeconds,
          note: `over then's preview: ${round3(medians.oneObjectPreviewNowSeconds / medians.previewThenSeconds)}; an empty program's (no SDK loaded): ${medians.emptyPreviewNowSeconds.toFixed(2)} s, ${round3(medians.emptyPreviewNowSeconds / medians.previewThenSeconds)}`,
        },
      ),
      goal(
        "pulumi destroy, now over then (nothing left behind)",
        rounds.map((r) => r.destroyNowOverThen),
        0.5,
        "ratio",
        {
          what: "kubectl delete of a namespace holding two bare Pods (the lab's grace period: none)",
          seconds: medians.namespaceDeleteSeconds,
          note: `over then's destroy: ${round3(medians.namespaceDeleteSeconds / medians.destroyThenSeconds)} (the namespace controller waits a fixed 5 s before it deletes a namespace's content)`,
        },
      ),
      goal(
        "the check step (the runner the command starts)",
        checkStep.map((r) => r.now),
        0.6,
        "s",
        {
          what: "a bare kubectl exec of `true` into the client, and one request the policies refuse (the stranger's, side by side with the client's exec)",
          seconds: Math.max(medians.bareExecSeconds, medians.refusedRequestSeconds),
          note: `exec ${medians.bareExecSeconds.toFixed(2)} s, refusal ${medians.refusedRequestSeconds.toFixed(2)} s; the client's probes alone (no stranger): ${medians.checkStepNowClientOnlySeconds.toFixed(2)} s`,
        },
      ),
    ];

    const run = {
      command: `npm run bench -- ${pairs}`,
      date: new Date().toISOString(),
      baseline,
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        kernel: os.release(),
        node: process.version,
        pulumi: engine.command.version?.toString(),
      },
      conditions: { ...conditions, retried },
      lab: "isolated (pod-to-pod:networkPolicy true, the default); B applies the same policies and a stranger",
      goals,
      medians,
      breakdown,
      rounds,
      steady,
      checkStep,
      floors,
    };
    const file = path.join(PROJECT_DIR, "bench/results.json");
    const previous = fs.existsSync(file)
      ? (JSON.parse(fs.readFileSync(file, "utf8")) as object)
      : undefined;
    // Every run is kept, oldest first; a file from before runs were kept is the first run.
    const runs =
      previous && "runs" in previous ? (previous.runs as object[]) : previous ? [previous] : [];
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ runs: [...runs, run] }, null, 2) + "\n");

    console.log("\nwhere the time goes (traced round, seconds):");
    for (const [name, phases] of Object.entries(breakdown)) {
      console.log(
        `  ${name.padEnd(16)} ${phases.map((p) => `${p.phase} ${p.seconds.toFixed(2)}`).join(" | ")}`,
      );
    }
    console.log(`  steps of A (round 1): ${JSON.stringify(rounds[0].stepsNow)}`);
    console.log(`\nmedians: ${JSON.stringify(medians)}`);
    console.log(
      `load average before ${conditions.loadBefore.join(" ")}, after ${conditions.loadAfter.join(" ")}\n`,
    );
    for (const g of goals) {
      console.log(formatGoal(g));
    }
  } finally {
    for (const stack of [now.stack, old.stack, emptyNowStack, emptyThenStack, oneObjectStack]) {
      await stack.destroy().catch(() => undefined);
      await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    }
    runCommand("kubectl", ["delete", "namespace", walkthroughNs, floorNs, "--wait=false"]);
    for (const project of scratch) {
      project.remove();
    }
    fs.rmSync(traces, { recursive: true, force: true });
    engine.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
