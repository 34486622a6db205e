import { CheckResult, Diagnosis } from "../contract/types";
import { MeshReport } from "../contract/meshTypes";
import { KubectlRunner, ProbingPod } from "../probe/exec";
import { ReportingPod, RunOwner } from "../probe/reports";
import { ScriptOutput, ScriptSpec } from "../probe/script";

/**
 * A scenario, as the one orchestration (runPlan.ts) runs it: the pods that probe and what each
 * runs, then, given what they printed, its verdict. The pair and the every-node mesh are two of
 * them; the machinery (exec, judge, witness) is the same for both, only the data differ.
 *
 * `Read` is what the scenario keeps of one prober's run: `read` turns the run into it as the run
 * ends, so what a prober printed is let go at once (a thousand nodes' scripts print megabytes).
 */
export interface Scenario<Read = ScriptOutput | Error> {
  /** Every pod that probes, with its script; exec'd at most `parallelism` at a time. */
  readonly probers: readonly Prober[];
  readonly parallelism: number;
  /**
   * How the scripts reach the pods: one `kubectl exec` each, or (pods with a reporter, every
   * prober's pod with its UID) one plan for all and their reports (probe/reports.ts).
   */
  readonly delivery:
    | "exec"
    | {
        /** The namespace of the plans and reports. */
        readonly reports: string;
        /** The run's own ConfigMap, made as the scenario started (openReportRun). */
        readonly owner: Promise<RunOwner | Error>;
      };
  /** What the scenario keeps of the run of `probers[at]`, read as soon as it ends. */
  read(run: ScriptOutput | Error, at: number): Read;
  /**
   * What the scenario starts beside its probes once they run (API reads that need not wait for
   * all of them), given each prober's run as it will settle.
   */
  beside?(runs: ReadonlyArray<Promise<Read>>): void;
  /** The scenario's verdict from every prober's run, as read (in `probers` order). */
  finish(runs: readonly Read[]): Promise<ScenarioOutcome>;
}

/** A pod that probes, and its script. */
export interface Prober {
  readonly pod: ProbingPod | ReportingPod;
  /**
   * Its script, built when its exec starts: a thousand nodes' scripts, all held from the start,
   * would be most of what the runner holds.
   */
  readonly script: () => ScriptSpec;
  /** Room beyond the script's deadline for kubectl (the scenario's probe timeout). */
  readonly slackSeconds: number;
}

/** What a scenario adds to the verification. */
export interface ScenarioOutcome {
  readonly checks: readonly CheckResult[];
  readonly diagnosis?: Diagnosis;
  readonly mesh?: MeshReport;
}

/** What every scenario is given: kubectl, the context, the clocks, the keeper of its clean-ups. */
export interface ScenarioEnv {
  readonly run: KubectlRunner;
  readonly context: readonly string[];
  /** When the run started (ms since the epoch): the servers' logs are read from then. */
  readonly startedAt: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** Work for the run's end, done before it gives its verdict (its reports' objects deleted). */
  readonly atEnd: (task: () => Promise<unknown>) => void;
}
