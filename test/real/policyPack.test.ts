import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, Harness, PolicyFinding, recorder, uniqueStack } from "../../tools/lib/engine";
import { PROJECT_DIR } from "./cli";

/**
 * The general policy pack (policy/kubernetes) guarding a program that is not the lab
 * (test/fixtures/guarded-program), used as policy/README.md tells any stack to: `pulumi preview
 * --policy-pack policy/kubernetes --policy-pack-config policy-config.json`. The preview runs
 * against the local cluster, whose provider renders the local Helm chart and reads the local
 * manifest: nothing is pulled, and a preview creates nothing. Needs the pinned CLI, language host
 * and kubernetes provider, and the local cluster.
 */
const PROGRAM = path.join(PROJECT_DIR, "test/fixtures/guarded-program");
const STATE = process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod";
/** A namespace of this run's own: a preview creates it no more than anything else. */
const NAMESPACE = `t31-shop-${process.pid}`;

let engine: Harness;
let stack: Stack;
let findings: PolicyFinding[];
let types: Map<string, string>;

beforeAll(async () => {
  engine = await harness(path.join(STATE, "kubeconfig.yaml"));
  stack = await engine.stack(uniqueStack("guarded"), PROGRAM);
  await stack.setConfig("guarded-shop:namespace", { value: NAMESPACE });
  const events = recorder();
  await expect(
    stack.preview({
      policyPacks: [path.join(PROJECT_DIR, "policy", "kubernetes")],
      policyPackConfigs: [path.join(PROGRAM, "policy-config.json")],
      onEvent: events.onEvent,
    }),
  ).rejects.toThrow();
  findings = events.policies;
  types = new Map(events.steps.map((s) => [s.urn, s.type]));
});

afterAll(async () => {
  await stack?.workspace.removeStack(stack.name, { force: true });
  engine?.close();
});

/** `<policy>` of the findings at a level on the one resource of this type whose URN ends so. */
function policiesOn(type: string, name: string, level = "mandatory"): string[] {
  const urns = [...types].filter(([urn, t]) => t === type && urn.endsWith(name)).map(([u]) => u);
  expect(urns, `one ${type} ${name} in the plan: ${[...types.keys()].join(", ")}`).toHaveLength(1);
  return findings
    .filter((f) => f.resourceUrn === urns[0] && f.enforcementLevel === level)
    .map((f) => f.policyName)
    .sort();
}

describe("the general pack on a stack that is not the lab, as its docs say to use it", () => {
  it("fails pss-privileged, mandatory, on a DeploymentPatch, a PodPatch, a chart's Deployment and a manifest's Pod", () => {
    expect(
      policiesOn("kubernetes:apps/v1:DeploymentPatch", "::privileged-deployment-patch"),
      JSON.stringify(findings, null, 1),
    ).toEqual(["pss-privileged"]);
    expect(policiesOn("kubernetes:core/v1:PodPatch", "::privileged-pod-patch")).toEqual([
      "pss-privileged",
    ]);
    expect(policiesOn("kubernetes:apps/v1:Deployment", "cache")).toEqual(["pss-privileged"]);
    expect(policiesOn("kubernetes:core/v1:Pod", "privileged-pod")).toEqual(["pss-privileged"]);
  });

  it("names each as Pod Security Admission does, at the configured profile and version", () => {
    const messages = findings
      .filter((f) => f.policyName === "pss-privileged")
      .map((f) => f.message.split("\n")[1])
      .sort();
    expect(messages).toEqual([
      'violates PodSecurity "baseline:v1.33": privileged (Deployment cache (pod template), container cache: securityContext.privileged is true); accepted: false or unset.',
      'violates PodSecurity "baseline:v1.33": privileged (DeploymentPatch legacy-web (pod template), container web: securityContext.privileged is true); accepted: false or unset.',
      'violates PodSecurity "baseline:v1.33": privileged (Pod privileged-pod, container tool: securityContext.privileged is true); accepted: false or unset.',
      'violates PodSecurity "baseline:v1.33": privileged (PodPatch legacy-debug, container debug: securityContext.privileged is true); accepted: false or unset.',
    ]);
  });

  it("judges a ConfigGroup's CronJob like any: its pod template shares the node's PIDs", () => {
    expect(policiesOn("kubernetes:batch/v1:CronJob", "nightly")).toEqual(["pss-host-namespaces"]);
    const [finding] = findings.filter(
      (f) => f.policyName === "pss-host-namespaces" && f.enforcementLevel === "mandatory",
    );
    expect(finding.resourceUrn).toContain(
      "kubernetes:yaml/v2:ConfigGroup$kubernetes:batch/v1:CronJob",
    );
    expect(finding.message.split("\n")[1]).toBe(
      'violates PodSecurity "baseline:v1.33": host namespaces (CronJob nightly (pod template): spec.hostPID is true); accepted: false or unset.',
    );
  });

  it("fails nothing else: no false alarm on the objects that pass", () => {
    const mandatory = findings.filter((f) => f.enforcementLevel === "mandatory");
    expect(mandatory.map((f) => f.policyName).sort()).toEqual([
      "pss-host-namespaces",
      "pss-privileged",
      "pss-privileged",
      "pss-privileged",
      "pss-privileged",
    ]);
    expect(policiesOn("kubernetes:apps/v1:Deployment", "::web", "advisory")).toEqual([]);
  });

  it("shows the exemption by URN and the rule made advisory, as advisories on their Pods", () => {
    const advisories = (name: string) =>
      findings
        .filter((f) => f.enforcementLevel === "advisory" && f.resourceUrn?.endsWith(name))
        .map((f) => `${f.policyName}: ${f.message.trim().split("\n").pop()}`);
    expect(advisories("node-debugger")).toEqual([
      'pss-host-namespaces: exempt by policy config (urn:pulumi:*::guarded-shop::kubernetes:yaml/v2:ConfigFile$kubernetes:core/v1:Pod::*node-debugger) because it debugs the node\'s own network: violates PodSecurity "baseline:v1.33": host namespaces (Pod node-debugger: spec.hostNetwork is true); accepted: false or unset.',
    ]);
    expect(advisories("scratch")).toEqual([
      "read-only-root-filesystem: Pod scratch, container tool: securityContext.readOnlyRootFilesystem is false; accepted: true, with an emptyDir volume where the container must write (e.g. /tmp).",
    ]);
  });
});
