import { PulumiCommand } from "@pulumi/pulumi/automation";

/** One run of the CLI: its arguments and its wall time, from spawn to exit (ms, this clock). */
export interface CliRun {
  readonly args: readonly string[];
  readonly startedMs: number;
  readonly endedMs: number;
  /** The OpenTelemetry trace it wrote, when it was asked to. */
  readonly traceFile?: string;
}

/** The Automation API's internal way of running the CLI (automation/cmd.js): not in its types. */
type Run = (args: string[], cwd: string, ...rest: unknown[]) => Promise<unknown>;

/**
 * The pinned CLI as the Automation API drives it, with two things the Automation API does not
 * offer: the wall time of every CLI process (what a person running `pulumi up` waits for, where the
 * engine's events arrive through a log polled every 200 ms), and `--otel-traces file://…` on the
 * next engine operation, for the CLI's, the language host's and the Node.js runtime's own spans.
 */
export class TimedCommand {
  /** Every CLI run so far, in order. */
  public readonly runs: CliRun[] = [];
  /** What to hand to LocalWorkspace in place of the plain command. */
  public readonly command: PulumiCommand;
  private nextTrace: string | undefined;

  constructor(base: PulumiCommand) {
    const internal = base as unknown as { run: Run };
    if (typeof internal.run !== "function") {
      throw new Error("this @pulumi/pulumi's PulumiCommand has no run(): the bench cannot time it");
    }
    const wrapped = Object.create(base) as PulumiCommand & { run: Run };
    wrapped.run = async (args, cwd, ...rest) => {
      const operation = ["up", "preview", "destroy", "refresh"].includes(args[0]);
      const traceFile = operation ? this.nextTrace : undefined;
      if (traceFile) {
        this.nextTrace = undefined;
      }
      const full = traceFile ? [...args, "--otel-traces", `file://${traceFile}`] : args;
      const startedMs = Date.now();
      try {
        return await internal.run.call(base, full, cwd, ...rest);
      } finally {
        this.runs.push({
          args: full,
          startedMs,
          endedMs: Date.now(),
          ...(traceFile ? { traceFile } : {}),
        });
      }
    };
    this.command = wrapped;
  }

  /** Asks the next engine operation (up, preview, destroy, refresh) to write its trace to `file`. */
  traceNextOperation(file: string): void {
    this.nextTrace = file;
  }

  /** The last run of `operation` (e.g. "up"): throws if there was none. */
  last(operation: string): CliRun {
    const run = [...this.runs].reverse().find((r) => r.args[0] === operation);
    if (!run) {
      throw new Error(`no pulumi ${operation} has run`);
    }
    return run;
  }
}
