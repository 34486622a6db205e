import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectAt, ScratchProject } from "../../tools/lib/benchProjects";
import { harness, Harness, recorder, uniqueStack, useLocalImages } from "../../tools/lib/engine";
import { PROJECT_DIR } from "./cli";

/**
 * A stack deployed by the program as it was before the lab became the PodToPodLab component, then
 * updated by this checkout: the aliases keep every object's identity (none deleted, none created
 * anew), only the component itself is new, and what was not changed since keeps its outputs. An
 * object whose spec changed since that commit is replaced under its own URN, as any update does
 * (the nginx.conf's access-log format, the client's CPU limit); an alias that failed would show as
 * a delete of the old URN and a create of the new one instead. On the local k3s, in its own namespace.
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
  /** The Pulumi names of the objects the update replaced (their spec changed since). */
  let replaced = new Set<string>();

  it("deploys with the program before the component", async () => {
    const result = await oldStack.up();
    expect(result.summary.result).toBe("succeeded");
    old = await outputsOf(oldStack);
    expect((old.verification as { failed: number }).failed, String(old.report)).toBe(0);
  });

  it("updates to the component keeping every object: only PodToPodLab, the kept verdict and the image checks are created", async () => {
    const events = recorder();
    const result = await stack.up({ onEvent: events.onEvent });
    expect(result.summary.result).toBe("succeeded");
    // New beside the component: the ConfigMap in which the lab keeps its last verdict (#33), and
    // the image checks of the server's and the client's images (#30).
    const created = events.steps
      .filter((s) => s.op === "create")
      .map((s) => `${s.type}::${s.urn.split("::").at(-1)}`);
    expect(created.sort()).toEqual([
      "kubernetes:batch/v1:Job::busybox-image-check",
      "kubernetes:batch/v1:Job::nginx-image-check",
      "kubernetes:core/v1:ConfigMap::connectivity-verdict",
      "pod-to-pod:index:PodToPodLab::pod-to-pod",
    ]);
    const kept = events.steps.filter(
      (s) => KEPT_TYPES.includes(s.type) && !s.urn.endsWith("::connectivity-verdict"),
    );
    for (const step of kept) {
      expect(
        ["same", "update", "replace", "delete-replaced", "create-replacement"],
        step.urn,
      ).toContain(step.op);
    }
    // A plain delete is an object the new program no longer claims: an alias that missed.
    const gone = events.steps.filter((s) => s.op === "delete");
    expect(gone).toEqual([]);
    replaced = new Set(
      events.steps.filter((s) => s.op === "replace").map((s) => s.urn.split("::").at(-1)!),
    );
    // The kept objects now sit under the component.
    // (A replaced pod's delete-replaced step names the old state's URN, at the root.)
    const pod = events.steps.find(
      (s) => s.urn.endsWith("::busybox-pod") && s.op !== "delete-replaced",
    );
    expect(pod?.urn).toContain(
      "::pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod::",
    );
  });

  it("exports the same outputs: the same pods, Service and policies, and a passing verdict", async () => {
    const now = await outputsOf(stack);
    expect(Object.keys(now).sort()).toEqual(Object.keys(old).sort());
    // Each output by the object behind it: one replaced for a changed spec has a new UID and IP.
    const behind: Record<string, string | undefined> = {
      namespace: undefined,
      nginxPodIp: "nginx-pod",
      nginxPodUid: "nginx-pod",
      busyboxPodIp: "busybox-pod",
      serviceClusterIp: "nginx-service",
      nginxNode: "nginx-pod",
      busyboxNode: "busybox-pod",
      networkPolicies: undefined,
    };
    for (const [key, object] of Object.entries(behind)) {
      if (object === undefined || !replaced.has(object)) {
        expect(now[key], key).toEqual(old[key]);
      }
    }
    const verification = now.verification as { passed: number; failed: number };
    expect(verification.failed, String(now.report)).toBe(0);
    expect(verification.passed).toBe((old.verification as { passed: number }).passed);
  });
});
