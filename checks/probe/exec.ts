import { KubectlResult, LineReader } from "./kubectl";
import {
  buildScript,
  MalformedScriptOutputError,
  parseScriptOutput,
  ScriptOutput,
  ScriptSpec,
} from "./script";

/**
 * Runs kubectl; injected so the orchestration is testable without a cluster. Given `lines`, the
 * run is streamed: stdout goes to it a line at a time (see kubectl.ts).
 */
export type KubectlRunner = (
  args: readonly string[],
  timeoutMs: number,
  lines?: LineReader,
) => Promise<KubectlResult>;

/** A probing pod: where its script runs. */
export interface ProbingPod {
  readonly namespace: string;
  readonly name: string;
  readonly container: string;
}

/**
 * kubectl's error, short enough to read: an exec's error repeats the whole URL-encoded script
 * after "?command=", which says nothing the reader needs.
 */
export function kubectlError(stderr: string): string {
  const text = stderr.trim().replace(/\?command=[^"\s]*/g, "?…");
  return (text.length > 600 ? `${text.slice(0, 600)}…` : text) || "no error output";
}

/** A kubectl read's output, parsed; or why there is none (kubectl's error, or the parser's). */
export function readResult<T>(result: KubectlResult, parse: (stdout: string) => T): T | Error {
  if (result.code !== 0) {
    return new Error(kubectlError(result.stderr));
  }
  try {
    return parse(result.stdout);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Runs one pod's script in one `kubectl exec` and reads its sections: the one way any pod is
 * probed. kubectl gets the script's deadline and room for its own start; an exec that printed no
 * section, or a marked line the script does not print, is an Error that names the pod (the API or
 * the pod is the problem then, not the network), never a result.
 */
export async function execScript(
  run: KubectlRunner,
  context: readonly string[],
  pod: ProbingPod,
  spec: ScriptSpec,
  slackSeconds: number,
): Promise<ScriptOutput | Error> {
  const result = await run(
    [
      ...context,
      "exec",
      "-n",
      pod.namespace,
      pod.name,
      "-c",
      pod.container,
      "--",
      "sh",
      "-c",
      buildScript(spec),
    ],
    (spec.deadlineSeconds + slackSeconds + 30) * 1000,
  );
  return outputOf(
    result.stdout,
    spec.nonce,
    pod,
    () =>
      `kubectl exec into ${pod.namespace}/${pod.name} ran no probe (exit ${result.code}); the Kubernetes API or the pod is the problem, not the network: ${kubectlError(result.stderr)}`,
  );
}

/**
 * What a pod's script printed, read into its sections, however it came back (an exec, a report):
 * output that is not what the script prints is an Error naming the pod, and so is output with no
 * section (`nothing` says why there is none), never a result.
 */
export function outputOf(
  printed: string,
  nonce: string,
  pod: ProbingPod,
  nothing: () => string,
): ScriptOutput | Error {
  let output: ScriptOutput;
  try {
    output = parseScriptOutput(printed, nonce);
  } catch (error) {
    if (error instanceof MalformedScriptOutputError) {
      return new Error(
        `the script's output in ${pod.namespace}/${pod.name} is not what the script prints (${error.message}); no verdict can be drawn from it`,
      );
    }
    throw error;
  }
  if (output.sections.size === 0) {
    return new Error(nothing());
  }
  return output;
}
