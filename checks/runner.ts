import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Where the check runner (run.ts, or run.js in a compiled build) lives, and how to start it.
 * The command line is relative to the project root, which is where the command provider runs it:
 * an absolute path would differ between checkouts and show as a diff in every other preview.
 */
const EXTENSION = path.extname(__filename);

/** The command that starts the runner, relative to `projectRoot`. */
export function runnerCommand(projectRoot: string, dir: string = __dirname): string {
  const runner = path.relative(projectRoot, path.join(dir, `run${EXTENSION}`)).split(path.sep);
  // TypeScript sources need tsx's loader (a dependency); a compiled build runs on plain node.
  const loader = EXTENSION === ".ts" ? "--import tsx " : "";
  return `node ${loader}${runner.join("/")}`;
}

/**
 * A digest of the check code as it runs (every *.ts, or every *.js of a compiled build, in this
 * folder). It is one of the command's triggers: new check code re-runs the checks.
 */
export function checksVersion(dir: string = __dirname): string {
  const hash = crypto.createHash("sha256");
  for (const file of fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(EXTENSION))
    .sort()) {
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(dir, file)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}
