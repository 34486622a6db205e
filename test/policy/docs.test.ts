import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { kubernetesPolicies, PATCH_SUFFIX, POD_PATHS } from "../../policy/policies";

const ROOT = path.join(__dirname, "..", "..");
const POLICY_DIR = path.join(ROOT, "policy");
const DOCS = fs.readFileSync(path.join(POLICY_DIR, "README.md"), "utf8");
const FIXTURE_CONFIG = path.join(ROOT, "test", "fixtures", "guarded-program", "policy-config.json");

function readJson(file: string) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** The rows of the docs' table whose header row is `header`, each as its cells. */
function table(header: string): string[][] {
  const start = DOCS.indexOf(header);
  expect(start, `a table headed ${header}`).toBeGreaterThan(0);
  const lines = DOCS.slice(start).split("\n");
  const rows = lines.slice(
    2,
    lines.findIndex((l, i) => i > 0 && !l.startsWith("|")),
  );
  return rows.map((r) =>
    r
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim()),
  );
}

describe("the pack's docs (policy/README.md)", () => {
  it("list every kind it judges, where its pod is, and whether it is judged as a patch", () => {
    const expected = Object.entries(POD_PATHS).flatMap(([kind, at]) => {
      const where = at.length === 0 ? "the object" : `\`${at.join(".")}\``;
      return [
        [kind, where, false],
        [`${kind}${PATCH_SUFFIX}`, where, true],
      ];
    });
    const rows = table("| Kind | Where its pod is | How |").map(([kind, where, how]) => [
      kind.replace(/`/g, ""),
      where,
      how.startsWith("a patch"),
    ]);
    expect(new Set(rows.map((r) => JSON.stringify(r)))).toEqual(
      new Set(expected.map((r) => JSON.stringify(r))),
    );
    expect(rows).toHaveLength(expected.length);
  });

  it("list every rule of the general pack at its level", () => {
    const rows = table("| Rule | Level | What it asks |");
    const names = kubernetesPolicies().map((p) => p.name);
    const pss = names.filter((n) => n.startsWith("pss-"));
    const listed = rows.flatMap(([rule]) =>
      rule === `\`${pss[0]}\` … \`${pss[pss.length - 1]}\`` ? pss : [rule.replace(/`/g, "")],
    );
    expect(listed).toEqual(names);
    for (const [, level] of rows) {
      expect(level).toBe("mandatory");
    }
  });

  it("show, as their example, the config the real-engine test's program previews under", () => {
    const example = /```json\n([\s\S]*?)```/.exec(DOCS)?.[1];
    expect(JSON.parse(example ?? "null")).toEqual(readJson(FIXTURE_CONFIG));
  });

  it("give a config whose every key is a rule of the general pack and a setting that rule takes", () => {
    const policies = new Map(kubernetesPolicies().map((p) => [p.name, p]));
    for (const [rule, setting] of Object.entries(readJson(FIXTURE_CONFIG))) {
      const policy = policies.get(rule);
      expect(policy, rule).toBeDefined();
      if (typeof setting === "string") {
        expect(["advisory", "mandatory", "disabled"]).toContain(setting);
        continue;
      }
      for (const key of Object.keys(setting as object)) {
        expect(Object.keys(policy!.configSchema?.properties ?? {}), `${rule}.${key}`).toContain(
          key,
        );
      }
    }
  });
});

describe("the pack's package metadata (policy/package.json)", () => {
  const own = readJson(path.join(POLICY_DIR, "package.json"));

  it("is public, licensed, with its repository, keywords and the files a pack needs", () => {
    expect(own.private).toBeUndefined();
    expect(own.license).toBe("Apache-2.0");
    expect(own.repository).toMatchObject({ type: "git", directory: "policy" });
    expect(own.keywords).toEqual(
      expect.arrayContaining(["pulumi", "crossguard", "policy-pack", "kubernetes"]),
    );
    expect(own.files).toEqual([
      "LICENSE",
      "README.md",
      "PulumiPolicy.yaml",
      "index.ts",
      "baseline.json",
      "open-lab.json",
      "tsconfig.json",
      "kubernetes/",
      "policies/",
    ]);
    for (const file of own.files) {
      expect(fs.existsSync(path.join(POLICY_DIR, file)), file).toBe(true);
    }
    // CrossGuard reports the version of the pack's own package.json: the package's.
    expect(readJson(path.join(POLICY_DIR, "kubernetes", "package.json")).version).toBe(own.version);
    for (const file of ["PulumiPolicy.yaml", "index.ts", "package.json"]) {
      expect(fs.existsSync(path.join(POLICY_DIR, "kubernetes", file)), `kubernetes/${file}`).toBe(
        true,
      );
    }
  });
});
