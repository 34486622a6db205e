import { CheckResult, Diagnosis } from "../contract/types";
import { MeshReport } from "../contract/meshTypes";
import { KubectlRunner, ProbingPod } from "../probe/exec";
import { ScriptOutput, ScriptSpec } from "../probe/script";

/**
 * A scenario, as the one orchestration (runPlan.ts) runs it: the pods that probe and what each
 * runs, then, given what they printed, its verdict. The pair and the every-node mesh are two of
 * them; the machinery (exec, judge, witness) is the same for both, only the data differ.
 */
export interface Scenario {
  /** Every pod that probes, with its script; exec'd at most `parallelism` at a time. */
  readonly probers: readonly Prober[];
  readonly parallelism: number;
  /**
   * What the scenario starts beside its probes once they run (API reads that need not wait for
   * all of them), given each prober's run as it will settle.
   */
  beside?(runs: ReadonlyArray<Promise<ScriptOutput | Error>>): void;
  /** The scenario's verdict from every prober's output (in `probers` order). */
  finish(runs: ReadonlyArray<ScriptOutput | Error>): Promise<ScenarioOutcome>;
}

/** A pod that probes, and its script. */
export interface Prober {
  readonly pod: ProbingPod;
  readonly script: ScriptSpec;
  /** Room beyond the script's deadline for kubectl (the scenario's probe timeout). */
  readonly slackSeconds: number;
}

/** What a scenario adds to the verification. */
export interface ScenarioOutcome {
  readonly checks: readonly CheckResult[];
  readonly diagnosis?: Diagnosis;
  readonly mesh?: MeshReport;
}

/** What every scenario is given: kubectl, the context, the clocks. */
export interface ScenarioEnv {
  readonly run: KubectlRunner;
  readonly context: readonly string[];
  /** When the run started (ms since the epoch): the servers' logs are read from then. */
  readonly startedAt: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}
