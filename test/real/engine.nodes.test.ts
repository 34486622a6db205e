import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_NAMES, Verification } from "../../checks/contract/types";
import { harness, Harness, uniqueStack, useLocalImages } from "../../tools/lib/engine";
import { PROJECT_DIR, run } from "./cli";

/**
 * Pod to pod across nodes, as in the walkthrough's second document, with the real engine on the
 * local two-node k3s (Flannel VXLAN): `placement: different-nodes` and `same-node` each verified
 * end to end, and a broken path between the nodes diagnosed as such. The path is broken and mended
 * by local-cluster/cluster.sh (`break-cross-node` / `mend-cross-node`), which knows the overlay.
 */
const namespace = "p2p-nodes";
let engine: Harness;
let stack: Stack;

function kubectl(...args: string[]) {
  return run("kubectl", args, { KUBECONFIG: engine.env.KUBECONFIG }, 120_000);
}

function cluster(command: string) {
  const result = run(
    "bash",
    [path.join(PROJECT_DIR, "local-cluster/cluster.sh"), command],
    {},
    120_000,
  );
  expect(result.code, `cluster.sh ${command}: ${result.stderr}`).toBe(0);
}

async function verification(): Promise<Verification> {
  return (await stack.outputs()).verification.value as Verification;
}

function fact(v: Verification, check: string, key: string) {
  return v.checks.find((c) => c.name === check)?.facts?.[key];
}

beforeAll(async () => {
  expect(process.env.KUBECONFIG, "scripts/test.sh sets KUBECONFIG").toBeTruthy();
  engine = await harness(process.env.KUBECONFIG!);
  const nodes = kubectl("get", "nodes", "-o", "name").stdout.trim().split("\n");
  expect(nodes.length, "the local cluster runs two nodes").toBeGreaterThanOrEqual(2);
  stack = await engine.stack(uniqueStack("nodes"));
  await useLocalImages(stack);
  await stack.setConfig("pod-to-pod:namespace", { value: namespace });
});

afterAll(async () => {
  run("bash", [path.join(PROJECT_DIR, "local-cluster/cluster.sh"), "mend-cross-node"], {}, 60_000);
  await stack?.destroy().catch(() => undefined);
  await stack?.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
  engine?.close();
});

describe("pod to pod across two nodes, with the real engine", () => {
  it("placement different-nodes: the pods land on two nodes and every check passes", async () => {
    await stack.setConfig("pod-to-pod:placement", { value: "different-nodes" });
    await stack.up();
    const v = await verification();
    expect(v.failed, JSON.stringify(v.checks, null, 1)).toBe(0);
    expect(fact(v, "pod-cidr", "crossNode")).toBe(true);
    expect(fact(v, "pod-cidr", "serverNode")).not.toBe(fact(v, "pod-cidr", "clientNode"));
    // Each node has its own share of the pod network, and the report names the overlay.
    expect(fact(v, "pod-cidr", "serverPodCidr")).not.toBe(fact(v, "pod-cidr", "clientPodCidr"));
    expect(v.checks.find((c) => c.name === "pod-cidr")?.detail).toMatch(
      /across nodes: .* over flannel vxlan/,
    );
    expect(fact(v, "pod-interface", "mtu")).toBe(1450);
    // Isolated, and proven enforced across nodes too.
    expect(v.passed).toBe(14);
    expect(v.checks.find((c) => c.name === "stranger-to-pod-ip")?.detail).toMatch(
      /^denied as expected/,
    );
  });

  // With isolation on, the broken overlay also cuts the stranger off (it reaches nothing, CoreDNS
  // included, from p2p-node2): the verdict must still be the overlay, not the policies.
  it.each([
    ["the open lab", "false", "3"],
    ["isolation on", "true", "2"],
  ])(
    "%s: a broken path between the nodes fails up naming the cross-node layer, and up converges once mended",
    async (_, isolation, pingCount) => {
      await stack.setConfig("pod-to-pod:networkPolicy", { value: isolation });
      await stack.up();
      cluster("break-cross-node");
      let text = "";
      try {
        // A changed setting runs the checks again, now across the broken path.
        await stack.setConfig("pod-to-pod:checks.pingCount", { value: pingCount }, true);
        await expect(
          stack.up({ onOutput: (s) => (text += s), onError: (s) => (text += s) }),
        ).rejects.toThrow();
      } finally {
        cluster("mend-cross-node");
      }
      // The failed verdict is the stack's (docs/verdict.md); its details are matched there, each
      // on one line, not in the text report, which wraps them.
      const broken = await verification();
      const details = broken.checks.map((c) => c.detail);
      expect(broken.failed).toBeGreaterThan(0);
      expect(text).toContain("Broken layer: cross-node");
      expect(text).not.toMatch(/Broken layer: (network-policy|client|pod-network)/);
      expect(broken.diagnosis?.layer).toBe("cross-node");
      // Every probe had its say: none was cut off by the check's bound.
      expect(text).not.toContain("not finished within");
      expect(text).not.toContain("produced no output");
      for (const detail of [...details, ...(broken.diagnosis?.evidence ?? [])]) {
        expect(detail).not.toContain("not finished within");
        expect(detail).not.toContain("produced no output");
      }
      await stack.up();
      expect((await verification()).failed).toBe(0);
      await stack.setConfig("pod-to-pod:networkPolicy", { value: "true" });
    },
  );

  it("placement same-node: the pods share a node and every check passes", async () => {
    await stack.setConfig("pod-to-pod:placement", { value: "same-node" });
    await stack.up();
    const v = await verification();
    expect(v.failed, JSON.stringify(v.checks, null, 1)).toBe(0);
    expect(fact(v, "pod-cidr", "crossNode")).toBe(false);
    expect(v.passed).toBe(14);
  });

  it("isolation off: the walkthrough's open lab and its nine checks, the policies and the stranger gone", async () => {
    await stack.setConfig("pod-to-pod:networkPolicy", { value: "false" });
    await stack.up();
    const v = await verification();
    expect(v.failed, JSON.stringify(v.checks, null, 1)).toBe(0);
    expect(v.checks.map((c) => c.name)).toEqual([...CHECK_NAMES]);
    expect(
      kubectl("get", "networkpolicies,pods", "-n", namespace, "-o", "name").stdout,
    ).not.toMatch(/networkpolic|stranger/);
  });
});
