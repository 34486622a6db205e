import { Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Verification } from "../../checks/contract/types";
import { fieldManagerOf } from "../../components/labIdentity";
import { StackOutputs } from "../../scripts/lib/stackOutputs";
import { harness, Harness, uniqueStack, useLocalImages } from "../../tools/lib/engine";
import { attempt, run } from "./cli";

/**
 * One stack, one lab (#33), on the local k3s with the real engine: stacks of the program that
 * meet in one namespace, one after the other (with a preview, and with --skip-preview) and at
 * once; a failed check and the stack's outputs; three labs deployed at once. scripts/test.sh
 * brings the cluster up and sets KUBECONFIG and POD_TO_POD_STATE; POD_TO_POD_TEST_NAMESPACE
 * prefixes the namespaces (default p2p-stacks).
 */
const prefix = process.env.POD_TO_POD_TEST_NAMESPACE ?? "p2p-stacks";
const suffix = Date.now().toString(36);
let engine: Harness;
const stacks: Stack[] = [];

function kubectl(...args: string[]) {
  return run("kubectl", args, { KUBECONFIG: engine.env.KUBECONFIG }, 180_000);
}

/** A fresh stack of the program with the local images, in `namespace`. */
async function labStack(name: string, namespace: string): Promise<Stack> {
  const stack = await engine.stack(uniqueStack(name));
  stacks.push(stack);
  await useLocalImages(stack);
  await stack.setConfig("pod-to-pod:namespace", { value: namespace });
  return stack;
}

async function outputsOf(stack: Stack): Promise<StackOutputs> {
  const values = await stack.outputs();
  return Object.fromEntries(
    Object.entries(values).map(([key, output]) => [key, output.value]),
  ) as unknown as StackOutputs;
}

/** The Kubernetes objects a stack's state holds. */
async function kubernetesObjectsOf(stack: Stack): Promise<string[]> {
  const state = await stack.exportStack();
  return ((state.deployment.resources ?? []) as Array<{ type: string; urn: string }>)
    .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers"))
    .map((r) => r.urn);
}

/** `pulumi up` with its preview, as a user types it (the Automation API's up skips the preview). */
function upWithPreview(stack: Stack) {
  return run(
    engine.command.command,
    ["up", "--yes", "--non-interactive", "--stack", stack.name],
    engine.env,
  );
}

/** `npm run verify` of a stack: the checks again, against what is in the cluster now. */
function verify(stack: Stack) {
  return run("npm", ["run", "--silent", "verify"], { ...engine.env, PULUMI_STACK: stack.name });
}

/** The refusal's line for another stack's namespace. */
function ownedBy(namespace: string, owner: Stack): string {
  return `namespace ${namespace} belongs to lab "pod-to-pod" of stack "${owner.name}" (project pod-to-pod)`;
}

beforeAll(async () => {
  const kubeconfig = process.env.KUBECONFIG;
  expect(kubeconfig, "scripts/test.sh sets KUBECONFIG to the local cluster").toBeTruthy();
  engine = await harness(kubeconfig!);
});

afterAll(async () => {
  for (const stack of stacks) {
    await stack.destroy().catch(() => undefined);
    await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
  }
  engine?.close();
});

describe("two stacks, one namespace", () => {
  const namespace = `${prefix}-shared-${suffix}`;
  let winner: Stack;

  beforeAll(async () => {
    winner = await labStack("winner", namespace);
    const result = await winner.up();
    expect(result.summary.result).toBe("succeeded");
    expect((await outputsOf(winner)).verification.failed).toBe(0);
  });

  it("one after the other, with a preview: the preview refuses, naming the owner; nothing is created", async () => {
    const loser = await labStack("loser-preview", namespace);
    const up = upWithPreview(loser);
    expect(up.code, up.stdout).not.toBe(0);
    expect(up.stdout + up.stderr).toContain(ownedBy(namespace, winner));
    expect(up.stdout + up.stderr).toContain("pulumi config set pod-to-pod:namespace");
    expect(await kubernetesObjectsOf(loser)).toEqual([]);
    await loser.destroy();
    const check = verify(winner);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    // The winner's lab isolates itself (the default): the walkthrough's ten and the four of isolation.
    expect(check.stdout).toContain("(14 passed, 0 failed)");
  });

  it("one after the other, with --skip-preview: the up refuses before creating anything; its destroy leaves the winner passing", async () => {
    const loser = await labStack("loser-skip", namespace);
    const up = await attempt((log) => loser.up(log));
    expect(up.ok).toBe(false);
    expect(up.text).toContain(ownedBy(namespace, winner));
    expect(await kubernetesObjectsOf(loser)).toEqual([]);
    await loser.destroy();
    expect(kubectl("get", "namespace", namespace, "-o", "name").stdout.trim()).toBe(
      `namespace/${namespace}`,
    );
    const check = verify(winner);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it("at once: one wins, the other fails holding nothing, naming the owner or the owner's identity annotation; its destroy leaves the winner passing", async () => {
    const raced = `${prefix}-race-${suffix}`;
    const [a, b] = [await labStack("race-a", raced), await labStack("race-b", raced)];
    const [upA, upB] = await Promise.all([
      attempt((log) => a.up(log)),
      attempt((log) => b.up(log)),
    ]);
    expect([upA.ok, upB.ok].filter(Boolean), `${upA.text}\n${upB.text}`).toHaveLength(1);
    const [first, second, lost] = upA.ok ? [a, b, upB] : [b, a, upA];
    // Whether the loser's program read the namespace before the winner made it decides which
    // refusal it meets: the claim naming the owner, or the API server's server-side apply conflict
    // with the field manager the winner writes as, which is named after its stack. Either way the
    // winner is named.
    const claim = ownedBy(raced, first);
    // The API server writes "conflict with" for one field, "conflicts with" for several.
    const manager = fieldManagerOf({ project: "pod-to-pod", stack: first.name, lab: "pod-to-pod" });
    const conflict = new RegExp(
      `conflicts? with "${manager.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`,
    );
    const refusal = lost.text
      .split("\n")
      .find((line) => line.includes(claim) || conflict.test(line));
    console.log(
      `race: ${first.name} won (${(upA.ok ? upA : upB).seconds.toFixed(1)} s), the other failed in ${lost.seconds.toFixed(1)} s: ${refusal?.trim()}`,
    );
    expect(refusal, lost.text).toBeDefined();
    expect(await kubernetesObjectsOf(second)).toEqual([]);
    await second.destroy();
    const check = verify(first);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const annotations = kubectl(
      "get",
      "namespace",
      raced,
      "-o",
      "jsonpath={.metadata.annotations.pod-to-pod/stack}",
    );
    expect(annotations.stdout).toBe(first.name);
  });
});

describe("a failed check and the stack's outputs", () => {
  it("after an up whose checks fail, verification shows that failure; the next up runs them again", async () => {
    const namespace = `${prefix}-stale-${suffix}`;
    const stack = await labStack("stale", namespace);
    await stack.up();
    const passed = (await outputsOf(stack)).verification;
    expect(passed.failed).toBe(0);
    // The client refused by the lab's own isolation: the policy that lets it in, deleted by hand,
    // and a changed setting so that the checks run again.
    kubectl("delete", "networkpolicy", "-n", namespace, "nginx-allow-client");
    await stack.setConfig("pod-to-pod:checks.pingCount", { value: "3" }, true);
    const failed = await attempt((log) => stack.up(log));
    expect(failed.ok).toBe(false);
    expect(failed.text).toContain("checks failed");
    const after: Verification = (await outputsOf(stack)).verification;
    expect(after.failed).toBeGreaterThan(0);
    expect(Date.parse(after.checkedAt)).toBeGreaterThan(Date.parse(passed.checkedAt));
    expect((await outputsOf(stack)).report).toMatch(
      /^pod-to-pod network verification \(\d+ passed, [1-9]\d* failed\)/,
    );
    // Repaired by a refresh (the policy is recreated); the failed verdict makes the checks run again.
    const healed = await attempt((log) => stack.up({ ...log, refresh: true }));
    expect(healed.ok, healed.text).toBe(true);
    const again = (await outputsOf(stack)).verification;
    expect(again.failed).toBe(0);
    expect(Date.parse(again.checkedAt)).toBeGreaterThan(Date.parse(after.checkedAt));
  });
});

describe("three labs deployed at once", () => {
  it("each passes and names only its own pods", async () => {
    const labs = await Promise.all(
      [1, 2, 3].map((n) => labStack(`trio-${n}`, `${prefix}-trio-${n}-${suffix}`)),
    );
    const ups = await Promise.all(labs.map((stack) => attempt((log) => stack.up(log))));
    console.log(`three labs at once: ${ups.map((up) => `${up.seconds.toFixed(1)} s`).join(", ")}`);
    for (const up of ups) {
      expect(up.ok, up.text).toBe(true);
    }
    const outputs = await Promise.all(labs.map(outputsOf));
    outputs.forEach((own, index) => {
      expect(own.verification.failed, own.report).toBe(0);
      const answered = own.verification.checks.find((c) => c.name === "pod-ip-http")?.facts
        ?.answeredUid;
      expect(answered).toBe(own.nginxPodUid);
      const text = JSON.stringify(own.verification);
      for (const other of outputs.filter((_, i) => i !== index)) {
        expect(text).not.toContain(other.nginxPodUid);
        expect(text).not.toContain(other.namespace);
      }
    });
  });
});
