// @ts-check
/**
 * Starts the check runner (run.ts) on plain node, with no TypeScript loader: the command the
 * ConnectivityCheck gives the command provider is `node checks/start.js`. Loading tsx on every
 * run costs more than the checks' own work; so run.ts and what it imports are bundled by esbuild
 * into one CommonJS file, once per version of their source, and later runs only hash those
 * sources and load that file.
 *
 * The bundle and its manifest (every input esbuild read, with its digest) live in
 * node_modules/.cache/pod-to-pod, or, where that cannot be written, in a folder of the temp
 * directory. An edit to any input rebuilds the bundle before the checks run: no build step to
 * remember, and no stale runner.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/** Changed when the way the bundle is made changes, so that no older bundle is reused. */
const BUNDLE_FORMAT = "1";
const PROJECT_ROOT = path.resolve(__dirname, "..");
const ENTRY = path.join(__dirname, "run.ts");
const MANIFEST = "check-runner.json";

/**
 * @typedef {object} Manifest
 * @property {string} format BUNDLE_FORMAT of the build.
 * @property {string} bundle File name of the bundle, beside the manifest.
 * @property {Record<string, string>} inputs Each input (relative to the project root) and its sha256.
 */

/** @param {string} file */
function digestOf(file) {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * The bundle the manifest in `dir` names, if every input it was built from is unchanged.
 * @param {string} dir
 * @returns {string | undefined}
 */
function currentBundle(dir) {
  /** @type {Manifest} */
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), "utf8"));
  } catch {
    return undefined;
  }
  if (manifest.format !== BUNDLE_FORMAT || !manifest.inputs[path.relative(PROJECT_ROOT, ENTRY)]) {
    return undefined;
  }
  for (const [input, digest] of Object.entries(manifest.inputs)) {
    try {
      if (digestOf(path.join(PROJECT_ROOT, input)) !== digest) {
        return undefined;
      }
    } catch {
      return undefined;
    }
  }
  const bundle = path.join(dir, manifest.bundle);
  return fs.existsSync(bundle) ? bundle : undefined;
}

/**
 * Writes `text` to `file` through a temp file and a rename: a concurrent run reads either the old
 * file or the new one, never half of one.
 * @param {string} file
 * @param {string} text
 */
function writeAtomically(file, text) {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

/**
 * Bundles run.ts into `dir` and returns the bundle's path.
 * @param {string} dir
 * @returns {string}
 */
function build(dir) {
  // Only a build needs esbuild; a run from a current bundle never loads it.
  /** @type {typeof import("esbuild")} */
  const esbuild = require("esbuild");
  const result = esbuild.buildSync({
    entryPoints: [ENTRY],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const text = result.outputFiles[0].text;
  const bundle = `check-runner.${crypto.createHash("sha256").update(text).digest("hex").slice(0, 16)}.js`;
  /** @type {Record<string, string>} */
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    inputs[input] = digestOf(path.join(PROJECT_ROOT, input));
  }
  fs.mkdirSync(dir, { recursive: true });
  writeAtomically(path.join(dir, bundle), text);
  writeAtomically(
    path.join(dir, MANIFEST),
    JSON.stringify({ format: BUNDLE_FORMAT, bundle, inputs }, null, 2) + "\n",
  );
  // Older bundles: a run still using one has it loaded already.
  for (const name of fs.readdirSync(dir)) {
    if (/^check-runner\.[0-9a-f]{16}\.js$/.test(name) && name !== bundle) {
      fs.rmSync(path.join(dir, name), { force: true });
    }
  }
  return path.join(dir, bundle);
}

/**
 * A folder of the temp directory for this project and user. Anyone can create a name there, and a
 * bundle in it is code this process runs: it is used only if it is this user's and no one else
 * can write to it.
 * @returns {string | undefined}
 */
function privateTempDir() {
  const perProject = crypto.createHash("sha256").update(PROJECT_ROOT).digest("hex").slice(0, 12);
  const uid = os.userInfo().uid;
  const dir = path.join(os.tmpdir(), `pod-to-pod-${uid}-${perProject}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch {
    // It exists already (or cannot be made: the checks below say so).
  }
  try {
    const stat = fs.lstatSync(dir);
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** @param {unknown} error */
function isBuildError(error) {
  // esbuild's own errors (a syntax error in checks/) would be the same in any folder.
  return typeof error === "object" && error !== null && "errors" in error;
}

/**
 * The path of a current bundle of the runner, building one where there is none: in the project's
 * npm cache folder, else in a private folder of the temp directory.
 */
function runnerBundle() {
  const local = path.join(PROJECT_ROOT, "node_modules", ".cache", "pod-to-pod");
  const bundle = currentBundle(local);
  if (bundle) {
    return bundle;
  }
  let localFailure;
  try {
    return build(local);
  } catch (error) {
    if (isBuildError(error)) {
      throw error;
    }
    localFailure = error instanceof Error ? error.message : String(error);
  }
  const temp = privateTempDir();
  if (!temp) {
    throw new Error(`${local} cannot be written (${localFailure}) and no private temp folder`);
  }
  return currentBundle(temp) ?? build(temp);
}

/** @type {string} */
let bundle = "";
try {
  bundle = runnerBundle();
} catch (error) {
  process.stderr.write(
    `pod-to-pod checks could not start: could not bundle ${path.relative(PROJECT_ROOT, ENTRY)}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
}
// The bundle is run.ts: it reads its plan, runs the checks and sets the exit status.
require(bundle);
