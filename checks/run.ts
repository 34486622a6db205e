/**
 * The check runner: started by the ConnectivityCheck component's command, it reads its plan from
 * the environment (and `kubernetes:kubeconfig`, when the stack sets one, from stdin), runs the
 * checks and exits 1 when a check failed, unless report-only.
 *
 * On success stdout is the verification as JSON, which the component parses into the stack
 * outputs. On failure stdout stays empty and stderr carries the readable report: the engine puts
 * both streams into the error it prints, and the report is what a person needs there.
 */
import * as fs from "node:fs";
import { fromEnvironment } from "./contract/environment";
import { kubeconfigSource, KubeconfigSource } from "./probe/kubeconfig";
import { kubectl, stopAllKubectl } from "./probe/kubectl";
import { renderReport } from "./report/report";
import { runPlan } from "./runPlan";
import { KubectlRunner } from "./probe/exec";
import { favourMemory } from "./runtime";
import { Verification } from "./contract/types";

favourMemory();

// Stopped half way (Ctrl-C on `pulumi up`, a CI job cancelled): the kubectl runs stop with the
// runner rather than going on unobserved. Nothing is on disk to clean up.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    stopAllKubectl();
    process.stderr.write(`pod-to-pod checks stopped by ${signal}\n`);
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function verify(env: NodeJS.ProcessEnv, kubeconfig: KubeconfigSource): Promise<Verification> {
  const { plan, options } = fromEnvironment(env);
  const run: KubectlRunner = (args, timeoutMs, lines) =>
    kubectl(args, timeoutMs, env, kubeconfig, { lines });
  return runPlan(plan, run, options);
}

async function main(): Promise<number> {
  const { options } = fromEnvironment(process.env);
  const kubeconfig = options.kubeconfigOnStdin
    ? kubeconfigSource(await readStdin())
    : ({ kind: "environment" } as const);
  const verification = await verify(process.env, kubeconfig);
  const report = renderReport(verification);
  // For callers that want the verification whatever happened (the cluster tests' fault cases).
  if (process.env.POD_TO_POD_VERIFICATION_FILE) {
    fs.writeFileSync(process.env.POD_TO_POD_VERIFICATION_FILE, JSON.stringify(verification) + "\n");
  }
  if (verification.failed > 0 && !options.reportOnly) {
    process.stderr.write(
      `${report}\n\n${verification.failed} of ${verification.checks.length} checks failed. Set pod-to-pod:checks.reportOnly to true to report without failing.\n`,
    );
    return 1;
  }
  process.stdout.write(JSON.stringify(verification) + "\n");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `pod-to-pod checks could not run: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(2);
  },
);
