import { RunnerOptions } from "./contract/environment";
import { RunPlan, Verification } from "./contract/types";
import { joinDiagnoses, summarize } from "./judge/verdict";
import { startBounded } from "./probe/boundedPool";
import { execScript, KubectlRunner } from "./probe/exec";
import { deliverByReports, ReportingPod, scriptRequest } from "./probe/reports";
import { meshScenario } from "./scenarios/mesh";
import { pairScenario } from "./scenarios/pair";
import { Scenario, ScenarioEnv, ScenarioOutcome } from "./scenarios/scenario";

/** What a run needs beyond the plan: which runner, which context, and clocks tests can stand in for. */
export interface RunOptions extends Pick<RunnerOptions, "kubeContext" | "runnerVersion"> {
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * One scenario's probers, each run read as it ends, then its verdict: through one exec each, or
 * through one plan and the pods' reports, as the scenario delivers.
 */
export async function runScenario<Read>(
  scenario: Scenario<Read>,
  env: ScenarioEnv,
): Promise<ScenarioOutcome> {
  const { delivery } = scenario;
  const runs =
    delivery === "exec"
      ? startBounded(
          scenario.probers.map((prober, at) => ({ prober, at })),
          scenario.parallelism,
          ({ prober, at }) =>
            execScript(env.run, env.context, prober.pod, prober.script(), prober.slackSeconds).then(
              (output) => scenario.read(output, at),
            ),
        )
      : deliverByReports(
          env,
          delivery.reports,
          delivery.owner,
          scenario.probers.map((prober) =>
            scriptRequest({ ...prober, pod: reporting(prober.pod) }),
          ),
        ).map((output, at) => output.then((settled) => scenario.read(settled, at)));
  scenario.beside?.(runs);
  return scenario.finish(await Promise.all(runs));
}

function reporting(pod: Scenario["probers"][number]["pod"]): ReportingPod {
  if (!("uid" in pod)) {
    throw new Error(`${pod.namespace}/${pod.name} is to report, but its UID is not known`);
  }
  return pod;
}

/**
 * The one orchestration, whoever made the plan (the component's command, `npm run verify`, the
 * bench, the tests): every scenario of the plan (the pair; the every-node mesh with coverage
 * every-node) runs its probers through one exec, side by side, and the scenarios' checks are
 * joined into one verdict, counted and diagnosed once. A plan of one scenario runs that one alone.
 */
export async function runPlan(
  plan: Partial<RunPlan>,
  run: KubectlRunner,
  options: RunOptions,
): Promise<Verification> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const atEnd: Array<() => Promise<unknown>> = [];
  const env: ScenarioEnv = {
    run,
    context: options.kubeContext ? ["--context", options.kubeContext] : [],
    startedAt,
    now,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    atEnd: (task) => atEnd.push(task),
  };
  const outcomes = await Promise.all([
    ...(plan.pair ? [runScenario(pairScenario(plan.pair, env), env)] : []),
    ...(plan.mesh ? [meshScenario(plan.mesh, env).then((mesh) => runScenario(mesh, env))] : []),
  ]).finally(
    // Nothing of the run is left behind when its verdict is given, nor when a scenario throws.
    () => Promise.all(atEnd.map((task) => task().catch(() => undefined))),
  );
  return summarize(
    outcomes.flatMap((outcome) => outcome.checks),
    { checkedAt: new Date(startedAt).toISOString(), runnerVersion: options.runnerVersion },
    joinDiagnoses(outcomes.map((outcome) => outcome.diagnosis)),
    outcomes.find((outcome) => outcome.mesh)?.mesh,
  );
}
