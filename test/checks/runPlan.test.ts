import { describe, expect, it } from "vitest";
import { runScenario } from "../../checks/runPlan";
import { KubectlRunner } from "../../checks/probe/exec";
import { ScriptSpec } from "../../checks/probe/script";
import { Prober, Scenario, ScenarioEnv } from "../../checks/scenarios/scenario";
import { TEST_NONCE } from "../helpers";

/**
 * The one orchestration's hold on memory at scale: a prober's run is read as its exec ends, not
 * once every exec has, and its script is built when its exec starts, not all at the start.
 */
describe("runScenario", () => {
  const spec: ScriptSpec = { nonce: TEST_NONCE, jobs: [], parallelism: 1, deadlineSeconds: 1 };

  async function events(parallelism: number, execMs: (pod: string) => number): Promise<string[]> {
    const seen: string[] = [];
    const run: KubectlRunner = async (args) => {
      const pod = args[3];
      seen.push(`exec ${pod} starts`);
      await new Promise((resolve) => setTimeout(resolve, execMs(pod)));
      seen.push(`exec ${pod} ends`);
      return {
        code: 0,
        stdout: `${TEST_NONCE} p rc=0 ms=1 tries=1 out=\n${TEST_NONCE} end\n`,
        stderr: "",
      };
    };
    const prober = (name: string): Prober => ({
      pod: { namespace: "lab", name, container: "c" },
      script: () => {
        seen.push(`script ${name}`);
        return spec;
      },
      slackSeconds: 1,
    });
    const scenario: Scenario<string> = {
      probers: [prober("a"), prober("b")],
      parallelism,
      delivery: "exec",
      read: (output, at) => {
        seen.push(`read ${at}`);
        return output instanceof Error ? output.message : [...output.sections.keys()].join();
      },
      finish: async (reads) => {
        seen.push(`finish ${reads.join(" ")}`);
        return { checks: [] };
      },
    };
    const env: ScenarioEnv = {
      run,
      context: [],
      startedAt: 0,
      sleep: async () => {},
      now: () => 0,
      atEnd: () => undefined,
    };
    await runScenario(scenario, env);
    return seen;
  }

  it("reads each prober's run as its exec ends, while the others still run", async () => {
    expect(await events(2, (pod) => (pod === "a" ? 5 : 50))).toEqual([
      "script a",
      "exec a starts",
      "script b",
      "exec b starts",
      "exec a ends",
      "read 0",
      "exec b ends",
      "read 1",
      "finish p p",
    ]);
  });

  it("builds each prober's script when its exec starts", async () => {
    expect(await events(1, () => 5)).toEqual([
      "script a",
      "exec a starts",
      "exec a ends",
      "read 0",
      "script b",
      "exec b starts",
      "exec b ends",
      "read 1",
      "finish p p",
    ]);
  });
});
