import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Where the check runner (run.ts, started by start.js; or run.js in a compiled build) lives, and
 * how to start it.
 * The command line is relative to the project root, which is where the command provider runs it:
 * an absolute path would differ between checkouts and show as a diff in every other preview.
 */
const EXTENSION = path.extname(__filename);

/** The command that starts the runner, relative to `projectRoot`. */
export function runnerCommand(projectRoot: string, dir: string = __dirname): string {
  // From TypeScript sources, start.js runs a bundle of run.ts on plain node (no TypeScript loader
  // to start on every run); a compiled build runs its run.js.
  const entry = EXTENSION === ".ts" ? "start.js" : `run${EXTENSION}`;
  return `node ${path.relative(projectRoot, path.join(dir, entry)).split(path.sep).join("/")}`;
}

/**
 * A file's code without its comments and layout: TypeScript parses it (JavaScript too) and prints
 * it back with comments removed. Where TypeScript is not installed (a compiled build deployed
 * without dev dependencies) the text itself stands in, which only means a comment edit re-runs
 * the checks.
 */
function codeWithoutComments(file: string, source: string): string {
  let ts: typeof import("typescript");
  try {
    // Lazily: the Pulumi Node.js runtime has already loaded it for a TypeScript program.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ts = require("typescript") as typeof import("typescript");
  } catch {
    return source;
  }
  const parsed = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false);
  return ts.createPrinter({ removeComments: true }).printFile(parsed);
}

/** Relative imports in a module's code (`from "./x"`, `import("./x")`, `require("./x")`). */
const RELATIVE_IMPORT = /(?:from|import|require)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

/**
 * What the runner is made of: its entry (run.ts, or run.js of a compiled build) and every module it
 * imports, followed through relative imports as the bundler follows them, in a stable order and
 * named relative to `dir`. The module graph, not a folder listing: moving a module to another
 * folder neither drops it from the version nor lets a file the runner never loads change it.
 */
export function runnerInputs(dir: string = __dirname): Array<readonly [string, string]> {
  const resolve = (from: string, spec: string): string | undefined => {
    const base = path.resolve(path.dirname(from), spec);
    return [base, `${base}${EXTENSION}`, path.join(base, `index${EXTENSION}`)].find(
      (candidate) => candidate.endsWith(EXTENSION) && fs.existsSync(candidate),
    );
  };
  const seen = new Map<string, string>();
  const queue = [path.join(dir, `run${EXTENSION}`)];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) {
      continue;
    }
    const source = fs.readFileSync(file, "utf8");
    seen.set(file, source);
    for (const [, spec] of source.matchAll(RELATIVE_IMPORT)) {
      const target = resolve(file, spec);
      if (target && !seen.has(target)) {
        queue.push(target);
      }
    }
  }
  return [...seen]
    .map(([file, source]) => [path.relative(dir, file).split(path.sep).join("/"), source] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The runner's version: its package's version and a digest of what the check code does (run.ts and
 * every module it imports, see runnerInputs), comments and formatting left out. It is one of the
 * command's triggers: changed check behaviour re-runs the checks, a comment does not.
 *
 * Reading the code without its comments means parsing it, which costs a preview a noticeable
 * moment; the result is kept in node_modules/.cache, keyed by the files' exact text, so only the
 * first run after an edit pays.
 */
export function runnerVersion(dir: string = __dirname): string {
  const files = runnerInputs(dir);
  const root = packageRoot(dir);
  const version = root ? packageVersion(root) : "0.0.0";
  const exact = crypto.createHash("sha256").update(version);
  for (const [name, source] of files) {
    exact.update(name).update("\0").update(source).update("\0");
  }
  const key = exact.digest("hex");
  const cacheFile =
    root && path.join(root, "node_modules", ".cache", "pod-to-pod", "runner-version.json");
  const cached = cacheFile ? readCache(cacheFile) : {};
  if (cached[key]) {
    return cached[key];
  }
  const hash = crypto.createHash("sha256");
  for (const [name, source] of files) {
    hash.update(name).update("\0").update(codeWithoutComments(name, source)).update("\0");
  }
  const computed = `${version}+${hash.digest("hex").slice(0, 12)}`;
  if (cacheFile) {
    writeCache(cacheFile, { [key]: computed });
  }
  return computed;
}

function readCache(file: string): Record<string, string> {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

function writeCache(file: string, entries: Record<string, string>): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}`;
    fs.writeFileSync(temp, JSON.stringify(entries));
    fs.renameSync(temp, file);
  } catch {
    // A read-only checkout only loses the shortcut.
  }
}

/** The nearest folder at or above `dir` with a package.json. */
function packageRoot(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, "package.json"))) {
      return at;
    }
    if (path.dirname(at) === at) {
      return undefined;
    }
  }
}

function packageVersion(root: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    version?: string;
  };
  return String(manifest.version ?? "0.0.0");
}
