import { RunnerOptions } from "./contract/environment";
import { RunPlan, Verification } from "./contract/types";
import { withMesh } from "./judge/diagnose";
import { runMesh } from "./scenarios/mesh";
import { KubectlRunner } from "./probe/exec";
import { runChecks } from "./scenarios/pair";

/**
 * Runs a plan, whoever made it (the component's command, `npm run verify`, the bench): the pair's
 * scenarios, and with coverage every-node the mesh's alongside, joined into one verdict.
 */
export async function runPlan(
  plan: RunPlan,
  run: KubectlRunner,
  options: Pick<RunnerOptions, "kubeContext" | "runnerVersion">,
): Promise<Verification> {
  const [pair, mesh] = await Promise.all([
    runChecks(plan.pair, run, { runnerVersion: options.runnerVersion }, options.kubeContext),
    plan.mesh ? runMesh(plan.mesh, run, options.kubeContext) : undefined,
  ]);
  return mesh ? withMesh(pair, mesh) : pair;
}
