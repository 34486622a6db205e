import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MESH_CHECK_NAMES, Verification } from "../../checks/types";
import { harness, Harness, recorder, uniqueStack, useLocalImages } from "../../tools/lib/engine";
import { PROJECT_DIR, run } from "./cli";

/**
 * Every node, every path (`coverage: every-node`), with the real engine on the local k3s (two
 * nodes, or three after `cluster.sh up --nodes 3`): every path passes; a broken overlay on one
 * node fails exactly that node's cross-node paths, diagnosed `cross-node`; an MTU black hole on
 * one node's link is diagnosed `mtu`, naming the links. The faults are made and mended by
 * local-cluster/cluster.sh; scripts/test.sh runs this file after the nodes suite (the cluster is
 * its own then; by hand, hold the cluster lock exclusively).
 */
const namespace = "p2p-mesh-engine";
let engine: Harness;
let stack: Stack;
let nodes: string[];

function kubectl(...args: string[]) {
  return run("kubectl", args, { KUBECONFIG: engine.env.KUBECONFIG }, 120_000);
}

function cluster(...args: string[]) {
  const result = run(
    "bash",
    [path.join(PROJECT_DIR, "local-cluster/cluster.sh"), ...args],
    {},
    120_000,
  );
  expect(result.code, `cluster.sh ${args.join(" ")}: ${result.stderr}`).toBe(0);
}

async function verification(): Promise<Verification> {
  return (await stack.outputs()).verification.value as Verification;
}

function check(v: Verification, name: string) {
  return v.checks.find((c) => c.name === name);
}

/** The node cluster.sh calls node K (node 1 is the server, the others p2p-node<K>). */
function nodeNumbered(k: number): string {
  return k === 1 ? nodes.find((n) => !/^p2p-node\d$/.test(n))! : `p2p-node${k}`;
}

beforeAll(async () => {
  expect(process.env.KUBECONFIG, "scripts/test.sh sets KUBECONFIG").toBeTruthy();
  engine = await harness(process.env.KUBECONFIG!);
  nodes = kubectl("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}")
    .stdout.trim()
    .split(/\s+/)
    .sort();
  expect(nodes.length, "the local cluster runs two nodes or more").toBeGreaterThanOrEqual(2);
  stack = await engine.stack(uniqueStack("mesh"));
  await useLocalImages(stack);
  await stack.setAllConfig({
    "pod-to-pod:namespace": { value: namespace },
    "pod-to-pod:coverage": { value: "every-node" },
  });
});

afterAll(async () => {
  run("bash", [path.join(PROJECT_DIR, "local-cluster/cluster.sh"), "mend-cross-node"], {}, 60_000);
  run("bash", [path.join(PROJECT_DIR, "local-cluster/cluster.sh"), "mend-mtu"], {}, 60_000);
  await stack?.destroy().catch(() => undefined);
  await stack?.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
  engine?.close();
});

describe("every node, every path, with the real engine", () => {
  it("previews with the policy pack: no mandatory finding, the three exemptions shown", async () => {
    const events = recorder();
    await stack.preview({
      policyPacks: [path.join(PROJECT_DIR, "policy")],
      onEvent: events.onEvent,
    });
    expect(events.policies.filter((p) => p.enforcementLevel === "mandatory")).toEqual([]);
    const shown = events.policies.filter((p) => p.policyName === "pod-security-exemptions");
    expect(shown.map((p) => p.message.split(" may ")[0]).sort()).toEqual([
      "DaemonSet mesh-client (pod template), container busybox",
      "DaemonSet mesh-node-probe (pod template), container probe",
      "Pod busybox-client, container busybox",
    ]);
  });

  it("covers every node: every pod path, the Service, DNS and node to pod pass", async () => {
    await stack.up();
    const v = await verification();
    expect(v.failed, JSON.stringify(v.checks, null, 1)).toBe(0);
    expect(v.checks.filter((c) => c.name.startsWith("mesh-")).map((c) => c.name)).toEqual([
      ...MESH_CHECK_NAMES,
    ]);
    const mesh = v.mesh!;
    expect(mesh.nodes).toEqual(nodes);
    expect(mesh.counts).toEqual({
      nodes: nodes.length,
      podPaths: nodes.length ** 2,
      podPathsFailed: 0,
      nodePaths: nodes.length * (nodes.length - 1),
      nodePathsFailed: 0,
    });
    // Every cell passed, with its time; the node's own column of the node matrix is not a path.
    for (const row of mesh.matrix) {
      expect(row).toMatch(new RegExp(`^P\\d+( P\\d+){${nodes.length - 1}}$`));
    }
    expect(mesh.nodeMatrix[0]).toMatch(/^\. P\d+/);
    // The links the node probes read: flannel.1 at the pods' MTU on every node.
    for (const node of nodes) {
      expect(mesh.links[node]).toMatch(/node link \S+ mtu 1500.*flannel\.1 mtu 1450/);
    }
    const report = (await stack.outputs()).report.value as string;
    expect(report).toContain("%% pod-to-pod mesh");
    expect(report).toMatch(/pod to pod 4\/4 paths pass|pod to pod 9\/9 paths pass/);
    // The walkthrough's objects are there as they were, beside the mesh.
    expect(
      kubectl("get", "pods,services,daemonsets,networkpolicies", "-n", namespace, "-o", "name")
        .stdout,
    ).toMatch(
      /pod\/nginx-server[\s\S]*daemonset.apps\/mesh-echo[\s\S]*networkpolicy.networking.k8s.io\/mesh-echo-allow/,
    );
  });

  it("a broken overlay on one node fails exactly that node's cross-node paths, diagnosed cross-node", async () => {
    await stack.setConfig("pod-to-pod:checks.reportOnly", { value: "true" }, true);
    const broken = nodes.length > 2 ? 3 : 2;
    const name = nodeNumbered(broken);
    cluster("break-cross-node", "--node", String(broken));
    try {
      // reportOnly is part of the command's environment: the checks run again, and record failures.
      await stack.up();
    } finally {
      cluster("mend-cross-node");
    }
    const v = await verification();
    console.log(`cross-node on ${nodes.length} nodes: ${v.diagnosis?.summary}`);
    const failures = v.mesh!.failures.filter((f) => !f.detail.startsWith("node to pod"));
    const expected = nodes
      .filter((n) => n !== name)
      .flatMap((other) => [`${name} → ${other}`, `${other} → ${name}`])
      .sort();
    expect(failures.map((f) => `${f.from} → ${f.to}`).sort()).toEqual(expected);
    expect(failures.every((f) => f.outcome === "fail")).toBe(true);
    expect(v.diagnosis?.layer, JSON.stringify(v.diagnosis)).toBe("cross-node");
    expect(v.diagnosis?.summary).toContain(
      nodes.length > 2 ? `on node ${name}` : `between ${nodes[0]} and ${nodes[1]}`,
    );
    expect(check(v, "mesh-pod-to-pod")?.ok).toBe(false);
    expect(check(v, "mesh-node-to-pod")?.ok).toBe(false);
  });

  it("an MTU black hole on one node's link is diagnosed mtu, naming the links and their MTUs", async () => {
    await stack.setConfig("pod-to-pod:checks.reportOnly", { value: "true" }, true);
    // A changed setting, so the checks run again.
    await stack.setConfig("pod-to-pod:checks.pingCount", { value: "3" }, true);
    cluster("break-mtu", "--node", "2");
    try {
      await stack.up();
    } finally {
      cluster("mend-mtu");
    }
    const v = await verification();
    console.log(`mtu on ${nodes.length} nodes: ${v.diagnosis?.summary}`);
    expect(v.diagnosis?.layer, JSON.stringify(v.diagnosis)).toBe("mtu");
    expect(check(v, "mesh-pod-to-pod")?.ok, "small packets pass").toBe(true);
    expect(check(v, "mesh-path-mtu")?.ok).toBe(false);
    expect(v.diagnosis?.summary).toMatch(/eth0 MTU is 1450/);
    // The host end of node 2's link is the bridge port at 1400: the probe on node 1 reads it.
    expect(v.diagnosis?.summary).toMatch(/p2p-node2 mtu 1400/);
    expect(v.mesh!.failures.every((f) => f.from === "p2p-node2" || f.to === "p2p-node2")).toBe(
      true,
    );
  });
});
