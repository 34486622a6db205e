/**
 * Prints the markdown report of a workflow's Pulumi operation (and `npm run verify`, when given)
 * from the files its steps captured; the workflows run it with `npx tsx .github/scripts/report.ts`.
 *
 *   --title T               the heading (markdown)
 *   --command preview|up    the operation
 *   --expect-no-changes     the run used --expect-no-changes: changes are drift
 *   --log FILE              the operation's stdout and stderr
 *   --events FILE           its --event-log (missing when it never started)
 *   --exit-code N           its exit code
 *   --verification FILE     the verdict `npm run verify` wrote (POD_TO_POD_VERIFICATION_FILE),
 *                           validated by the verification's schema; with --verify-exit-code, adds
 *                           the checks (missing or invalid: the checks could not run, and why)
 *   --verify-log FILE       `npm run verify`'s output, shown only when it wrote no verdict
 *   --verify-exit-code N    its exit code, empty when it did not run
 *   --run-url URL           the workflow run
 *   --commit SHA            the commit
 *   --redact-env NAME       an environment variable holding a secret (repeatable): its value is
 *                           redacted from the report wherever it appears; it must be set (empty
 *                           is fine: a secret the repository does not have)
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { parseEventLog } from "./report/events";
import { renderReport } from "./report/render";
import { readVerdict, VerifyRun } from "./report/verdict";

function read(file: string | undefined): string {
  return file && fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

function exitCode(option: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") {
    return undefined;
  }
  if (!/^\d+$/.test(value)) {
    throw new Error(`--${option} must be an exit code, not '${value}'`);
  }
  return Number(value);
}

/** The values of the named environment variables; a name the step's env does not set is a mistake. */
function secretsFrom(names: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return names.map((name) => {
    const value = env[name];
    if (value === undefined) {
      throw new Error(
        `--redact-env ${name}: the step's environment has no ${name}; set it in the step's env (to the secret)`,
      );
    }
    return value;
  });
}

/** Renders the report the arguments describe; throws on a missing or malformed argument. */
export function main(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      title: { type: "string" },
      command: { type: "string" },
      "expect-no-changes": { type: "boolean", default: false },
      log: { type: "string" },
      events: { type: "string" },
      "exit-code": { type: "string" },
      verification: { type: "string" },
      "verify-log": { type: "string" },
      "verify-exit-code": { type: "string" },
      "run-url": { type: "string" },
      commit: { type: "string" },
      "redact-env": { type: "string", multiple: true, default: [] },
    },
  });
  const required = (name: "title" | "log" | "run-url" | "commit"): string => {
    const value = values[name];
    if (!value) {
      throw new Error(`--${name} is required`);
    }
    return value;
  };
  const command = values.command;
  if (command !== "preview" && command !== "up") {
    throw new Error(`--command must be preview or up, not '${command ?? ""}'`);
  }
  const code = exitCode("exit-code", values["exit-code"]);
  if (code === undefined) {
    throw new Error("--exit-code is required");
  }
  const verificationFile = values.verification;
  if (values["verify-log"] !== undefined && verificationFile === undefined) {
    throw new Error("--verify-log needs --verification: the report reads the checks' verdict");
  }
  const verify: VerifyRun | undefined =
    verificationFile === undefined
      ? undefined
      : {
          exitCode: exitCode("verify-exit-code", values["verify-exit-code"]),
          verdict: readVerdict(
            verificationFile,
            fs.existsSync(verificationFile) ? fs.readFileSync(verificationFile, "utf8") : undefined,
          ),
          output: read(values["verify-log"]),
        };
  return renderReport({
    title: required("title"),
    pulumi: {
      command,
      expectNoChanges: values["expect-no-changes"],
      log: read(required("log")),
      events: parseEventLog(read(values.events)),
      exitCode: code,
    },
    verify,
    runUrl: required("run-url"),
    commit: required("commit"),
    secrets: secretsFrom(values["redact-env"], env),
  });
}

if (require.main === module) {
  try {
    process.stdout.write(`${main(process.argv.slice(2))}\n`);
  } catch (error) {
    process.stderr.write(`report: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
