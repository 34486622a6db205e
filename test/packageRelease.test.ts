import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { beforeAll, describe, expect, it } from "vitest";
import { PodToPodLab } from "../plugin";
import { GO_MODULE, REPOSITORY } from "../components/packageSchema";

// The package as a release: its metadata, its version (package.json, the schema, the changelog),
// the files it ships and the Go SDK's module path. test/real/package.test.ts runs the real CLI.

const ROOT = path.join(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const manifest = JSON.parse(read("package.json")) as Record<string, any>;
const changelog = read("CHANGELOG.md");

/** The schema the package's provider writes (plugin.ts's, which adds the repository). */
let schema: Record<string, any>;

beforeAll(async () => {
  const provider = new ComponentProvider({
    name: "pod-to-pod",
    dirname: ROOT,
    components: [PodToPodLab],
  });
  schema = JSON.parse(await provider.getSchema()) as Record<string, any>;
}, 60_000);

describe("the package's version", () => {
  it("is one semantic version in package.json, the schema and the changelog's latest release", () => {
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(schema.version).toBe(manifest.version);
    const releases = [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$/gm)];
    expect(releases.length).toBeGreaterThan(0);
    expect(releases[0][1]).toBe(manifest.version);
  });

  it("has a changelog in Keep a Changelog's form: Unreleased first, every release linked", () => {
    expect(changelog).toMatch(/^# Changelog\n/);
    expect(changelog).toContain("[Keep a Changelog](https://keepachangelog.com/en/1.1.0/)");
    const headings = [...changelog.matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1]);
    expect(headings[0]).toBe("Unreleased");
    for (const version of headings) {
      expect(changelog, version).toMatch(
        new RegExp(`^\\[${version.replace(/\./g, "\\.")}\\]: ${REPOSITORY}/`, "m"),
      );
    }
    const sections = [...changelog.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    for (const section of sections) {
      expect(["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"]).toContain(section);
    }
  });
});

describe("the package's metadata", () => {
  it("names one repository everywhere: package.json, the policy pack's, the schema", () => {
    expect(REPOSITORY).toBe("https://github.com/pod-to-pod/pod-to-pod");
    expect(manifest.repository).toEqual({ type: "git", url: `git+${REPOSITORY}.git` });
    expect(manifest.homepage).toBe(`${REPOSITORY}#readme`);
    expect(manifest.bugs).toEqual({ url: `${REPOSITORY}/issues` });
    const policy = JSON.parse(read("policy/package.json")) as Record<string, any>;
    expect(policy.repository).toEqual({
      type: "git",
      url: `git+${REPOSITORY}.git`,
      directory: "policy",
    });
    expect(schema.repository).toBe(REPOSITORY);
    expect(manifest.keywords).toEqual(expect.arrayContaining(["pulumi", "kubernetes", "k3s"]));
  });

  it("is under the license of the LICENSE file", () => {
    expect(read("LICENSE")).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(manifest.license).toBe("Apache-2.0");
  });

  it("stays off the npm registry: consumers add it with pulumi package add, which runs its source", () => {
    // main is TypeScript that the Pulumi runtime compiles; an npm install of it would not load.
    expect(manifest.main).toBe("plugin.ts");
    expect(manifest.private).toBe(true);
  });

  it("packs every file the provider loads (plugin.ts's imports, the check runner, the configs)", async () => {
    const packed = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(packed.status, packed.stderr).toBe(0);
    const files = new Set(
      (JSON.parse(packed.stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path),
    );
    const built = await esbuild.build({
      entryPoints: [path.join(ROOT, "plugin.ts")],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      packages: "external",
      logLevel: "silent",
    });
    const loaded = Object.keys(built.metafile.inputs).map((input) =>
      path.relative(ROOT, path.resolve(process.cwd(), input)),
    );
    expect(loaded).toContain("components/podToPodLab.ts");
    for (const file of [
      ...loaded,
      "checks/start.js",
      "PulumiPlugin.yaml",
      "tsconfig.json",
      "tsconfig.pulumi.json",
      "package.json",
      "LICENSE",
      "CHANGELOG.md",
    ]) {
      expect(files.has(file), file).toBe(true);
    }
    // Nothing of the tests or the local cluster.
    expect([...files].filter((f) => /^(test|local-cluster|bench|tools)\//.test(f))).toEqual([]);
  });
});

describe("the Go SDK", () => {
  it("is the module github.com/pod-to-pod/pod-to-pod/sdk/go, in the schema and in examples/go", () => {
    expect(GO_MODULE).toBe("github.com/pod-to-pod/pod-to-pod/sdk/go");
    expect(GO_MODULE).toBe(`${REPOSITORY.replace(/^https:\/\//, "")}/sdk/go`);
    expect(schema.language.go.importBasePath).toBe(`${GO_MODULE}/podtopod`);
    const goMod = read("examples/go/go.mod");
    expect(goMod).toContain(`\t${GO_MODULE} v0.0.0-`);
    expect(goMod).toContain(`replace ${GO_MODULE} => ./sdks/pod-to-pod`);
    expect(read("examples/go/main.go")).toContain(`"${GO_MODULE}/podtopod"`);
    expect(`${goMod}${read("examples/go/main.go")}`).not.toContain("example.com");
  });
});
