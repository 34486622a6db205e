import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  IMAGE_PULL_POLICY_DEFAULTS,
  KUBERNETES_POLICY_NAMES,
  kubernetesPolicies,
  labPolicies,
  NAMESPACE_DEFAULTS,
  podSecurityControls,
  podSecurityPolicies,
  policies,
  PROFILE_DEFAULTS,
  REQUIRED_LABELS_DEFAULTS,
  SERVICE_TYPE_DEFAULTS,
} from "../../policy/policies";

const ROOT = path.join(__dirname, "..", "..");
const POLICY_DIR = path.join(ROOT, "policy");

/** The list: one policy per control, named after the standard's own list. */
const PSS_POLICIES = [
  "pss-host-process",
  "pss-host-namespaces",
  "pss-privileged",
  "pss-capabilities",
  "pss-host-path",
  "pss-host-ports",
  "pss-host-probes",
  "pss-apparmor",
  "pss-selinux",
  "pss-proc-mount",
  "pss-seccomp",
  "pss-sysctls",
  "pss-volume-types",
  "pss-privilege-escalation",
  "pss-run-as-non-root",
  "pss-run-as-user",
];

/** The rules for any Kubernetes stack, in the general pack's order. */
const GENERAL_POLICIES = [
  "image-pinned",
  "image-pull-policy",
  "container-resources",
  "read-only-root-filesystem",
  "service-account-token",
  "readiness-probe",
  "liveness-probe",
  ...PSS_POLICIES,
  "pod-security-version",
  "pod-networkpolicy",
  "networkpolicy-targets-pod",
];

/** The lab's own rules, which only its pack adds. */
const LAB_POLICIES = [
  "pod-security-exemptions",
  "required-labels",
  "service-targets",
  "namespace-not-default",
  "service-type",
  "namespace-default-deny",
];

function readJson(file: string) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

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

  it("are the general rules, then the lab's own", () => {
    expect(kubernetesPolicies().map((p) => p.name)).toEqual(GENERAL_POLICIES);
    expect(KUBERNETES_POLICY_NAMES).toEqual(GENERAL_POLICIES);
    expect(labPolicies.map((p) => p.name)).toEqual(LAB_POLICIES);
    expect(policies.map((p) => p.name)).toEqual([...GENERAL_POLICIES, ...LAB_POLICIES]);
  });

  it("are mandatory except the three advisories", () => {
    const advisory = policies.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name);
    expect(advisory).toEqual(["namespace-not-default", "service-type", "namespace-default-deny"]);
  });

  it("hold one pss-* policy per control of the standard, in its order", () => {
    expect(podSecurityControls.map((c) => c.name)).toEqual(PSS_POLICIES);
    expect(policies.map((p) => p.name).filter((n) => n.startsWith("pss-"))).toEqual(PSS_POLICIES);
    for (const policy of podSecurityPolicies) {
      const control = podSecurityControls.find((c) => c.name === policy.name)!;
      expect(policy.description).toMatch(
        new RegExp(`^Pod Security Standards, .+ \\((baseline|restricted)\\): `),
      );
      expect("validateStack" in policy, `${policy.name} sees the stack's Namespaces`).toBe(true);
      expect(policy.framework).toEqual({
        name: "Pod Security Standards",
        version: "v1.35",
        reference: control.title,
        specification: control.level,
      });
    }
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
    // Every general rule takes exemptions by URN, none by default.
    expect(defaults).toEqual({
      ...Object.fromEntries(GENERAL_POLICIES.map((name) => [name, { exemptions: [] }])),
      "image-pull-policy": { ...IMAGE_PULL_POLICY_DEFAULTS, exemptions: [] },
      ...Object.fromEntries(
        PSS_POLICIES.map((name) => [name, { ...PROFILE_DEFAULTS, exemptions: [] }]),
      ),
      "required-labels": REQUIRED_LABELS_DEFAULTS,
      "namespace-not-default": NAMESPACE_DEFAULTS,
      "service-type": SERVICE_TYPE_DEFAULTS,
    });
    expect(PROFILE_DEFAULTS).toEqual({ profile: "restricted", version: "v1.34" });
  });
});

describe("policy/", () => {
  // That index.ts constructs the pack from policies/ is shown by the real engine loading it
  // (test/real/engine.preview.test.ts), not by comparing its source text.
  it("baseline.json switches every pss-* policy, and nothing else, to baseline", () => {
    const config = readJson(path.join(POLICY_DIR, "baseline.json"));
    expect(config).toEqual(
      Object.fromEntries(PSS_POLICIES.map((name) => [name, { profile: "baseline" }])),
    );
    for (const policy of podSecurityPolicies) {
      expect(policy.configSchema?.properties.profile).toMatchObject({
        enum: ["baseline", "restricted"],
      });
      expect(policy.configSchema?.properties.version).toMatchObject({
        enum: ["v1.33", "v1.34", "v1.35", "latest"],
      });
    }
  });

  it("pins @pulumi/policy, @pulumi/pulumi 3.259.0 and typescript as the program does", () => {
    const own = readJson(path.join(POLICY_DIR, "package.json"));
    const root = readJson(path.join(ROOT, "package.json"));
    expect(own.name).toBe("pod-to-pod-policy");
    expect(own.dependencies["@pulumi/pulumi"]).toBe("3.259.0");
    expect(own.dependencies["@pulumi/policy"]).toBe(root.devDependencies["@pulumi/policy"]);
    expect(own.dependencies["@pulumi/pulumi"]).toBe(root.dependencies["@pulumi/pulumi"]);
    expect(own.devDependencies.typescript).toBe(root.devDependencies.typescript);
    const lock = readJson(path.join(POLICY_DIR, "package-lock.json"));
    expect(lock.packages["node_modules/@pulumi/policy"].version).toBe("1.21.0");
    expect(lock.packages["node_modules/@pulumi/pulumi"].version).toBe("3.259.0");
  });
});

describe("the policy tables of docs/policy-pack.md", () => {
  const page = fs.readFileSync(path.join(ROOT, "docs", "policy-pack.md"), "utf8");
  const rows = [...page.matchAll(/^\| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/gm)].map(
    ([, name, level, profile, anchor]) => ({ name, level, profile, anchor }),
  );

  it("lists every policy of the pack, in its order, at its level", () => {
    expect(rows.map((r) => r.name)).toEqual(policies.map((p) => p.name));
    for (const policy of policies) {
      const row = rows.find((r) => r.name === policy.name)!;
      expect(row.level.startsWith(policy.enforcementLevel!), policy.name).toBe(true);
    }
  });

  it("gives each pss-* policy its profile and the standard's control", () => {
    for (const control of podSecurityControls) {
      const row = rows.find((r) => r.name === control.name)!;
      expect(row.profile.startsWith(control.level), control.name).toBe(true);
      expect(row.anchor, control.name).toContain(`PSS ${control.title}`);
    }
    const others = rows.filter((r) => !r.name.startsWith("pss-"));
    expect(others.map((r) => r.profile)).toEqual(others.map(() => "any"));
  });
});
