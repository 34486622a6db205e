/**
 * The other programs the bench runs beside this checkout: the project as it was before the speed
 * work (a commit, exported with `git archive`) and an empty program (the floor of a preview), each
 * in a temp folder sharing this checkout's node_modules.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { mustRun, PROJECT_DIR } from "./runCommand";

/** A project folder the bench made; `remove()` deletes it. */
export interface ScratchProject {
  readonly dir: string;
  remove(): void;
}

function scratch(prefix: string): ScratchProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // The same installed packages (only the program and its start differ), but a cache folder of
  // its own: the runner digest and the compile cache of one program must not evict the other's.
  const modules = path.join(dir, "node_modules");
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(PROJECT_DIR, "node_modules"))) {
    if (entry !== ".cache") {
      fs.symlinkSync(path.join(PROJECT_DIR, "node_modules", entry), path.join(modules, entry));
    }
  }
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The full commit a revision names, or an error naming the revision. */
export function resolveRevision(revision: string): string {
  return mustRun("git", ["rev-parse", "--verify", `${revision}^{commit}`]).stdout.trim();
}

/** The project as committed at `commit`, ready to run. */
export function projectAt(commit: string): ScratchProject {
  const project = scratch("p2p-bench-then-");
  const archive = path.join(project.dir, ".archive.tar");
  mustRun("git", ["archive", "--format=tar", "-o", archive, commit]);
  mustRun("tar", ["-xf", archive, "-C", project.dir]);
  fs.rmSync(archive);
  return project;
}

/** The `runtime:` block of a project's Pulumi.yaml. */
export function runtimeOf(projectDir: string): unknown {
  const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
    runtime: unknown;
  };
  return project.runtime;
}

/**
 * A program that registers nothing but its stack, started as the project in `projectDir` starts
 * (its Pulumi.yaml's runtime, and the preload that names): what any preview of a Node.js program
 * costs on this machine, before a line of the lab runs.
 */
export function emptyProgram(projectDir: string): ScratchProject {
  return floorProgram(projectDir, "p2p-bench-empty", 'export const empty = "nothing";\n');
}

/**
 * A Kubernetes program of one object (a ConfigMap in `namespace`), started as the project in
 * `projectDir` starts: what any Pulumi program of the kubernetes provider pays for a preview (the
 * SDKs it loads, the provider's start, one dry run), before a line of the lab runs.
 */
export function oneObjectProgram(projectDir: string, namespace: string): ScratchProject {
  return floorProgram(
    projectDir,
    "p2p-bench-one-object",
    [
      'import * as k8s from "@pulumi/kubernetes";',
      "",
      'export const name = new k8s.core.v1.ConfigMap("floor", {',
      `  metadata: { name: "p2p-bench-floor", namespace: ${JSON.stringify(namespace)} },`,
      '  data: { floor: "true" },',
      "}).metadata.name;",
      "",
    ].join("\n"),
  );
}

function floorProgram(projectDir: string, name: string, program: string): ScratchProject {
  const runtime = runtimeOf(projectDir);
  const project = scratch(`${name}-`);
  const preload = path.join(projectDir, "tools", "compileCache.js");
  if (fs.existsSync(preload)) {
    fs.mkdirSync(path.join(project.dir, "tools"));
    fs.copyFileSync(preload, path.join(project.dir, "tools", "compileCache.js"));
  }
  fs.writeFileSync(path.join(project.dir, "Pulumi.yaml"), stringify({ name, runtime }));
  fs.writeFileSync(
    path.join(project.dir, "package.json"),
    JSON.stringify({ name, private: true, main: "index.ts" }, null, 2) + "\n",
  );
  // The tsconfig the runtime names (`tsconfig:`, e.g. tsconfig.pulumi.json) and what it extends.
  for (const file of fs.readdirSync(projectDir).filter((f) => /^tsconfig(\..+)?\.json$/.test(f))) {
    fs.copyFileSync(path.join(projectDir, file), path.join(project.dir, file));
  }
  fs.writeFileSync(path.join(project.dir, "index.ts"), program);
  return project;
}
