/**
 * Where an engine operation's time goes: the phases of the CLI, the language host and the program
 * (from the `--otel-traces` spans each of them records), and each resource's step (from the
 * engine's events).
 */
import { Step } from "./engine";
import { Span } from "./otelTrace";
import { round3 } from "./benchStats";

/** One phase of an operation, in seconds. */
export interface Phase {
  readonly phase: string;
  readonly seconds: number;
}

function only(spans: readonly Span[], name: string, service?: string): Span {
  const found = spans.find((s) => s.name === name && (!service || s.service === service));
  if (!found) {
    throw new Error(`the trace has no span ${name}${service ? ` of ${service}` : ""}`);
  }
  return found;
}

/**
 * The phases of one operation, in order, summing to the CLI's wall time:
 *   engine start       the CLI until it plans (backend, stack, the language host's About)
 *   language host      until it starts node (plugin start, required packages, locating the SDK)
 *   node and the SDK   until the SDK's run starts (node, the preloads, the TypeScript hook)
 *   program start      until the program registers its first resource after the stack (the
 *                      program's modules: the SDK's index, @pulumi/kubernetes, zod, the lab's own)
 *   resources          until the last resource the program registered is done (for an update:
 *                      pods Ready, the check run; for a preview: the plan)
 *   engine tail        until the CLI exits (outputs, the snapshot, plugins shut down)
 */
export function phasesOf(spans: readonly Span[]): Phase[] {
  const cli = only(spans, "pulumi", "pulumi-cli");
  const plan = only(spans, "pulumi-plan", "pulumi-cli");
  if (!spans.some((s) => s.name === "execRuntime" && s.service === "pulumi-language-nodejs")) {
    return withoutProgram(cli, plan);
  }
  const exec = only(spans, "execRuntime", "pulumi-language-nodejs");
  // The Node.js runtime's own spans, or, where it exported none (its exporter is flushed as the
  // process ends), the CLI's side of the same calls.
  const program = spans.some((s) => s.service === "pulumi-sdk-nodejs")
    ? "pulumi-sdk-nodejs"
    : "pulumi-cli";
  const run = spans.find((s) => s.name === "language-runtime.run" && s.service === program);
  // The program's calls: the first registers the stack, the second its first resource.
  const registrations = spans.filter(
    (s) => s.service === program && s.name.endsWith("ResourceMonitor/RegisterResource"),
  );
  if (registrations.length < 2) {
    throw new Error("the trace holds fewer than two resource registrations of the program");
  }
  const firstResource = registrations[1].startMs;
  const resourcesDone = Math.max(...registrations.map((s) => s.endMs));
  const marks: Array<[string, number]> = [
    ["engine start", plan.startMs],
    ["language host", exec.startMs],
    // Without the runtime's spans, node's start and the program's are one phase.
    ["node and the SDK", run ? run.startMs : exec.startMs],
    ["program start", firstResource],
    ["resources", resourcesDone],
    ["engine tail", cli.endMs],
  ];
  return between(cli.startMs, marks);
}

/**
 * The phases of an operation that runs no program (a `destroy`: the engine works from the state):
 *   engine start   the CLI until it plans (backend, stack)
 *   steps          until the CLI exits: the providers, every delete (the namespace's wait in it),
 *                  the snapshot (the CLI's plan span of a destroy lasts to its end: no tail of its own)
 */
function withoutProgram(cli: Span, plan: Span): Phase[] {
  const marks: Array<[string, number]> = [
    ["engine start", plan.startMs],
    ["steps", cli.endMs],
  ];
  return between(cli.startMs, marks);
}

/** Phases from `startMs` to each mark in turn, in seconds: each ends where the next begins. */
function between(startMs: number, marks: ReadonlyArray<readonly [string, number]>): Phase[] {
  let at = startMs;
  return marks.map(([phase, until]) => {
    const seconds = round3((until - at) / 1000);
    at = until;
    return { phase, seconds };
  });
}

/** Each resource's step in an operation, from the engine's events: `<Type> <name>: seconds`. */
export function stepsOf(steps: readonly Step[]): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const step of steps) {
    if (step.doneMs === undefined || step.type.startsWith("pod-to-pod:") || step.op === "same") {
      continue;
    }
    if (step.type.startsWith("pulumi:")) {
      continue;
    }
    const name = `${step.type.split(":").pop()} ${step.urn.split("::").pop()}`;
    byName[name] = round3((step.doneMs - step.startedMs) / 1000);
  }
  return byName;
}
