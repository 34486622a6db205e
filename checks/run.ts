/**
 * The check runner: started by the ConnectivityCheck component's command (and by `npm run verify`),
 * it reads its plan from the environment, runs the checks, prints the verification as JSON on
 * stdout and a readable report on stderr, and exits 1 when a check failed (unless report-only).
 */
import { fromEnvironment } from "./environment";
import { kubectl } from "./kubectl";
import { renderReport } from "./report";
import { runChecks } from "./runChecks";

async function main(): Promise<number> {
  const { plan, options } = fromEnvironment(process.env);
  const verification = await runChecks(
    plan,
    (args, timeoutMs) => kubectl(args, timeoutMs),
    options.kubeContext,
  );
  process.stdout.write(JSON.stringify(verification) + "\n");
  process.stderr.write(renderReport(verification) + "\n");
  if (verification.failed > 0 && !options.reportOnly) {
    process.stderr.write(
      `\n${verification.failed} of ${verification.checks.length} checks failed. Set pod-to-pod:checks.reportOnly to true to report without failing.\n`,
    );
    return 1;
  }
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
