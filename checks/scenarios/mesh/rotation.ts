import { MeshPlan, ROTATION_RUN_KEY as RUN_KEY } from "../../contract/meshTypes";
import { kubectlError, KubectlRunner } from "../../probe/exec";

/** How often a run tries to take a number when other runs take them at the same moment. */
const ATTEMPTS = 5;

/**
 * Takes this run's number from the lab's counter and moves the counter on, in one compare-and-set
 * (a JSON patch that tests the value it read), so two runs at once (an `up` and a drift job's
 * `verify`) never take the same number. Only a sampled run asks: every pair needs no number.
 */
export async function takeRunNumber(
  plan: MeshPlan,
  run: KubectlRunner,
  context: readonly string[],
): Promise<number | Error> {
  const budget = plan.timeoutSeconds * 1000 + 10_000;
  const where = `ConfigMap ${plan.namespace}/${plan.rotationConfigMap}`;
  for (let attempt = 1; ; attempt += 1) {
    const read = await run(
      [
        ...context,
        "get",
        "configmap",
        "-n",
        plan.namespace,
        plan.rotationConfigMap,
        "-o",
        `jsonpath={.data.${RUN_KEY}}`,
      ],
      budget,
    );
    if (read.code !== 0) {
      return new Error(
        `the mesh's run counter (${where}) could not be read: ${kubectlError(read.stderr)}; \`pulumi up\` creates it`,
      );
    }
    const value = read.stdout.trim();
    if (!/^\d{1,15}$/.test(value)) {
      return new Error(
        `the mesh's run counter (${where}, key ${RUN_KEY}) holds ${JSON.stringify(value)}: accepted is a whole number from 0 (set it to "0" to start the rotation again)`,
      );
    }
    const taken = Number(value);
    const patch = [
      { op: "test", path: `/data/${RUN_KEY}`, value },
      { op: "replace", path: `/data/${RUN_KEY}`, value: String(taken + 1) },
    ];
    const moved = await run(
      [
        ...context,
        "patch",
        "configmap",
        "-n",
        plan.namespace,
        plan.rotationConfigMap,
        "--type=json",
        "-p",
        JSON.stringify(patch),
      ],
      budget,
    );
    if (moved.code === 0) {
      return taken;
    }
    if (attempt === ATTEMPTS) {
      return new Error(
        `the mesh's run counter (${where}) could not be moved on from ${value} in ${ATTEMPTS} tries: ${kubectlError(moved.stderr)}`,
      );
    }
  }
}
