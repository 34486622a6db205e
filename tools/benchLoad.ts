/**
 * `npm run bench:load [labs=3] [rounds=3]`: the check step's margins when several labs deploy at
 * once, as teams with per-PR stacks run them, on the local cluster with the real engine
 * (`local-cluster/cluster.sh up` first; KUBECONFIG set).
 *
 * Each round deploys one lab alone, then `labs` labs at once (each its own stack and namespace),
 * in alternating order so the machine's other load hits both alike, and reads every verdict. It
 * prints, per round and as medians:
 *   - the stranger's refusals (the checks that wait for a request to be dropped) against the
 *     limit the plan gives them: a refusal slower than its limit fails the check, so the ratio is
 *     the margin left (1.0 = no margin);
 *   - the slowest check of any lab, under load and alone, and their ratio.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { DENY_BOUND_SECONDS } from "../checks/plan/labPlan";
import { CheckResult, Verification } from "../checks/contract/types";
import { median, round3 } from "./lib/benchStats";
import { harness, Harness, uniqueStack, useLocalImages } from "./lib/engine";

/** The checks whose time is a wait for a drop: bounded by the plan's deny limit. */
const REFUSALS: readonly string[] = ["stranger-to-pod-ip", "stranger-to-service"];

/** What one deployment of one or more labs at once measured. */
interface Sample {
  /** The slowest refusal of any lab, in ms. */
  readonly refusalMs: number;
  /** The slowest check of any lab. */
  readonly slowest: { readonly name: string; readonly ms: number };
}

function positiveInteger(value: string | undefined, fallback: number, what: string): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${what} must be a positive integer, got "${value}"`);
  }
  return n;
}

/** Deploys `count` labs at once, reads their verdicts, destroys them. */
async function deployAtOnce(engine: Harness, count: number, round: number): Promise<Sample> {
  const stacks: Stack[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const stack = await engine.stack(uniqueStack(`load-${round}-${count}-${i}`));
      stacks.push(stack);
      await useLocalImages(stack);
      await stack.setConfig("pod-to-pod:namespace", { value: `p2p-load-${round}-${count}-${i}` });
    }
    const verdicts = await Promise.all(
      stacks.map(async (stack) => {
        await stack.up();
        return (await stack.outputs()).verification.value as Verification;
      }),
    );
    const checks: CheckResult[] = verdicts.flatMap((v) => {
      if (v.failed > 0) {
        throw new Error(`a lab failed its checks under load: ${JSON.stringify(v.checks)}`);
      }
      return [...v.checks];
    });
    const refusals = checks.filter((c) => REFUSALS.includes(c.name)).map((c) => c.ms);
    if (refusals.length !== REFUSALS.length * count) {
      throw new Error(`expected ${REFUSALS.join(", ")} in every lab's verdict (isolation on)`);
    }
    const slowest = checks.reduce((a, b) => (b.ms > a.ms ? b : a));
    return { refusalMs: Math.max(...refusals), slowest: { name: slowest.name, ms: slowest.ms } };
  } finally {
    await Promise.all(
      stacks.map(async (stack) => {
        await stack.destroy().catch(() => undefined);
        await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
      }),
    );
  }
}

async function main(): Promise<void> {
  const labs = positiveInteger(process.argv[2], 3, "labs");
  const rounds = positiveInteger(process.argv[3], 3, "rounds");
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig) {
    throw new Error(
      "KUBECONFIG must name the local cluster's kubeconfig (cluster.sh up prints it)",
    );
  }
  const engine = await harness(kubeconfig);
  const limitMs = DENY_BOUND_SECONDS * 1000;
  const alone: Sample[] = [];
  const loaded: Sample[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      // Alternate which side goes first, so a drift in the machine's load hits both.
      const order = round % 2 === 1 ? [1, labs] : [labs, 1];
      for (const count of order) {
        process.stdout.write(`round ${round}: ${count} lab(s) at once … `);
        const sample = await deployAtOnce(engine, count, round);
        (count === 1 ? alone : loaded).push(sample);
        process.stdout.write(
          `slowest refusal ${sample.refusalMs} ms of ${limitMs} (${round3(sample.refusalMs / limitMs)}), slowest check ${sample.slowest.name} ${sample.slowest.ms} ms\n`,
        );
      }
    }
  } finally {
    engine.close();
  }
  const ratios = loaded.map((l, i) => l.slowest.ms / alone[i].slowest.ms);
  console.log(`\n${labs} labs at once against one alone, ${rounds} rounds (medians):`);
  console.log(
    `  refusal / its ${limitMs} ms limit: ${round3(median(loaded.map((s) => s.refusalMs / limitMs)))} under load, ${round3(median(alone.map((s) => s.refusalMs / limitMs)))} alone`,
  );
  console.log(
    `  slowest check: ${median(loaded.map((s) => s.slowest.ms))} ms under load, ${median(alone.map((s) => s.slowest.ms))} ms alone; ratio ${round3(median(ratios))}`,
  );
  console.log(
    `  slowest checks by name under load: ${loaded.map((s) => s.slowest.name).join(", ")}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
