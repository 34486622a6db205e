import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CAPABILITIES_DEFAULTS,
  NAMESPACE_DEFAULTS,
  policies,
  REQUIRED_LABELS_DEFAULTS,
  SERVICE_TYPE_DEFAULTS,
} from "../../policy/policies";

const POLICY_DIR = path.join(__dirname, "..", "..", "policy");

describe("the pack's policies", () => {
  it("have unique kebab-case names, a description and a level config can change", () => {
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const policy of policies) {
      expect(policy.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(policy.description.length).toBeGreaterThan(20);
      expect(["advisory", "mandatory"]).toContain(policy.enforcementLevel);
      // The SDK refuses a schema that declares enforcementLevel: it is config's to set.
      expect(policy.configSchema?.properties.enforcementLevel).toBeUndefined();
    }
  });

  it("are mandatory except the two advisories", () => {
    const advisory = policies.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name);
    expect(advisory).toEqual(["namespace-not-default", "service-type"]);
  });

  it("document in their schema the defaults the code applies", () => {
    const defaults = Object.fromEntries(
      policies
        .filter((p) => p.configSchema)
        .map((p) => [
          p.name,
          Object.fromEntries(
            Object.entries(p.configSchema!.properties).map(([key, schema]) => [
              key,
              typeof schema === "object" ? schema.default : undefined,
            ]),
          ),
        ]),
    );
    expect(defaults).toEqual({
      "container-capabilities": CAPABILITIES_DEFAULTS,
      "required-labels": REQUIRED_LABELS_DEFAULTS,
      "namespace-not-default": NAMESPACE_DEFAULTS,
      "service-type": SERVICE_TYPE_DEFAULTS,
    });
  });
});

describe("policy/", () => {
  it("index.ts only constructs the pack from policies/", () => {
    const index = fs.readFileSync(path.join(POLICY_DIR, "index.ts"), "utf8");
    const code = index.replace(/^\s*\/\/.*$/gm, "").trim();
    expect(code).toBe(
      [
        'import { PolicyPack } from "@pulumi/policy";',
        'import { policies } from "./policies";',
        "",
        "",
        'new PolicyPack("pod-to-pod", { policies, enforcementLevel: "mandatory" });',
      ].join("\n"),
    );
  });

  it("pins @pulumi/policy and @pulumi/pulumi exactly as the program does", () => {
    const own = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
    const root = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "..", "package.json"), "utf8"));
    expect(own.name).toBe("pod-to-pod-policy");
    expect(own.dependencies["@pulumi/policy"]).toBe(root.devDependencies["@pulumi/policy"]);
    expect(own.dependencies["@pulumi/pulumi"]).toBe(root.dependencies["@pulumi/pulumi"]);
    expect(own.devDependencies.typescript).toBe(root.devDependencies.typescript);
    const lock = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package-lock.json"), "utf8"));
    expect(lock.packages["node_modules/@pulumi/policy"].version).toBe("1.21.0");
    expect(lock.packages["node_modules/@pulumi/pulumi"].version).toBe("3.270.0");
  });
});
