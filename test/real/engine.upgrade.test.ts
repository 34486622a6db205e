import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectAt, ScratchProject } from "../../tools/lib/benchProjects";
import { harness, Harness, recorder, uniqueStack, useLocalImages } from "../../tools/lib/engine";
import { PROJECT_DIR } from "./cli";

/**
 * A stack deployed by the program as it was before the lab became the PodToPodLab component, then
 * updated by this checkout: the aliases keep every object (no Pod, Service, NetworkPolicy or
 * Namespace replaced or deleted), only the component itself is new, and the outputs are the same.
 * On the local k3s, in a namespace of its own.
 */
const BEFORE_THE_COMPONENT = "7b87f8a74f95f71a6185e04a00ba8ed9c4860120";
const KEPT_TYPES = [
  "kubernetes:core/v1:Namespace",
  "kubernetes:core/v1:Pod",
  "kubernetes:core/v1:Service",
  "kubernetes:core/v1:ConfigMap",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy",
];

let engine: Harness;
let before: ScratchProject;
let oldStack: Stack;
let stack: Stack;

async function outputsOf(of: Stack): Promise<Record<string, unknown>> {
  const values = await of.outputs();
  return Object.fromEntries(Object.entries(values).map(([key, output]) => [key, output.value]));
}

beforeAll(async () => {
  const kubeconfig = process.env.KUBECONFIG;
  expect(kubeconfig, "scripts/test.sh sets KUBECONFIG to the local cluster").toBeTruthy();
  engine = await harness(kubeconfig!);
  before = projectAt(BEFORE_THE_COMPONENT);
  const name = uniqueStack("p2p-pkg-upgrade");
  oldStack = await LocalWorkspace.createOrSelectStack(
    { stackName: name, workDir: before.dir },
    { envVars: engine.env, pulumiCommand: engine.command },
  );
  await useLocalImages(oldStack);
  await oldStack.setConfig("pod-to-pod:namespace", {
    value: `p2p-pkg-upgrade-${Date.now().toString(36)}`,
  });
  // The same stack (one backend, one project name) from this checkout, with the same config.
  fs.copyFileSync(
    path.join(before.dir, `Pulumi.${name}.yaml`),
    path.join(PROJECT_DIR, `Pulumi.${name}.yaml`),
  );
  stack = await LocalWorkspace.selectStack(
    { stackName: name, workDir: PROJECT_DIR },
    { envVars: engine.env, pulumiCommand: engine.command },
  );
});

afterAll(async () => {
  await stack?.destroy().catch(() => undefined);
  await stack?.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
  if (stack) {
    fs.rmSync(path.join(PROJECT_DIR, `Pulumi.${stack.name}.yaml`), { force: true });
  }
  before?.remove();
  engine?.close();
});

describe("a stack of the program before the component, updated by this one", () => {
  let old: Record<string, unknown>;

  it("deploys with the program before the component", async () => {
    const result = await oldStack.up();
    expect(result.summary.result).toBe("succeeded");
    old = await outputsOf(oldStack);
    expect((old.verification as { failed: number }).failed, String(old.report)).toBe(0);
  });

  it("updates to the component keeping every object: only PodToPodLab is created", async () => {
    const events = recorder();
    const result = await stack.up({ onEvent: events.onEvent });
    expect(result.summary.result).toBe("succeeded");
    const created = events.steps.filter((s) => s.op === "create").map((s) => s.type);
    expect(created).toEqual(["pod-to-pod:index:PodToPodLab"]);
    for (const step of events.steps.filter((s) => KEPT_TYPES.includes(s.type))) {
      expect(step.op, step.urn).toBe("same");
    }
    const gone = events.steps.filter((s) => /delete|replace/.test(s.op));
    expect(gone).toEqual([]);
    // The kept objects now sit under the component.
    const pod = events.steps.find((s) => s.urn.endsWith("::busybox-pod"));
    expect(pod?.urn).toContain(
      "::pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod::",
    );
  });

  it("exports the same outputs: the same pods, Service and policies, and a passing verdict", async () => {
    const now = await outputsOf(stack);
    expect(Object.keys(now).sort()).toEqual(Object.keys(old).sort());
    for (const key of [
      "namespace",
      "nginxPodIp",
      "nginxPodUid",
      "busyboxPodIp",
      "serviceClusterIp",
      "nginxNode",
      "busyboxNode",
      "networkPolicies",
    ]) {
      expect(now[key], key).toEqual(old[key]);
    }
    const verification = now.verification as { passed: number; failed: number };
    expect(verification.failed, String(now.report)).toBe(0);
    expect(verification.passed).toBe((old.verification as { passed: number }).passed);
  });
});
