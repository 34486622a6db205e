import { describe, expect, it } from "vitest";
import { KubectlResult } from "../../checks/kubectl";
import { CheckRunError, parseNodePodCidrs, runChecks } from "../../checks/runChecks";
import { fixture, seedPlan, seedScriptOutput } from "../helpers";

const nodesJson = JSON.stringify({
  items: [
    {
      metadata: { name: "vagrant" },
      spec: { podCIDR: "10.42.0.0/24", podCIDRs: ["10.42.0.0/24"] },
    },
  ],
});

function fakeKubectl(exec: KubectlResult, nodes: KubectlResult) {
  const calls: string[][] = [];
  const run = async (args: readonly string[]) => {
    calls.push([...args]);
    return args.includes("exec") ? exec : nodes;
  };
  return { calls, run };
}

describe("runChecks", () => {
  it("makes two kubectl calls, one exec and one get nodes, on the given context", async () => {
    const { calls, run } = fakeKubectl(
      { code: 0, stdout: seedScriptOutput(), stderr: "" },
      { code: 0, stdout: nodesJson, stderr: "" },
    );
    const verification = await runChecks(seedPlan, run, "k3s-vm");
    expect(verification).toMatchObject({ passed: 9, failed: 0 });
    expect(calls).toHaveLength(2);
    expect(calls[0].slice(0, 10)).toEqual([
      "--context",
      "k3s-vm",
      "exec",
      "-n",
      "pod-to-pod",
      "busybox-client",
      "-c",
      "busybox",
      "--",
      "sh",
    ]);
    expect(calls[1]).toEqual(["--context", "k3s-vm", "get", "nodes", "vagrant", "-o", "json"]);
  });

  it("turns an unreadable node list into a failed pod-cidr check, not a crash", async () => {
    const { run } = fakeKubectl(
      { code: 0, stdout: seedScriptOutput(), stderr: "" },
      { code: 1, stdout: "", stderr: "nodes is forbidden" },
    );
    const verification = await runChecks(seedPlan, run);
    expect(verification.failed).toBe(1);
    expect(verification.checks.find((c) => c.name === "pod-cidr")?.detail).toContain(
      "nodes is forbidden",
    );
  });

  it("blames the API, not the network, when exec ran nothing", async () => {
    const { run } = fakeKubectl(
      {
        code: 1,
        stdout: "",
        stderr: 'Error from server (NotFound): pods "busybox-client" not found',
      },
      { code: 0, stdout: nodesJson, stderr: "" },
    );
    await expect(runChecks(seedPlan, run)).rejects.toThrow(CheckRunError);
    await expect(runChecks(seedPlan, run)).rejects.toThrow(
      /not the network.*busybox-client" not found/,
    );
  });

  it("diagnoses a run whose Service is broken", async () => {
    const refused = { rc: 1, output: fixture("busybox/wget-refused.txt") };
    const output = seedScriptOutput({
      "service-dns-http": refused,
      "service-fqdn-http": refused,
      "service-clusterip-http": refused,
    });
    const { run } = fakeKubectl(
      { code: 0, stdout: output, stderr: "" },
      { code: 0, stdout: nodesJson, stderr: "" },
    );
    const verification = await runChecks(seedPlan, run);
    expect(verification.diagnosis?.layer).toBe("service");
  });
});

describe("parseNodePodCidrs", () => {
  it("reads the bare Node that kubectl prints for a single name", () => {
    const json = JSON.stringify({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "vm" },
      spec: { podCIDR: "10.42.0.0/24", podCIDRs: ["10.42.0.0/24"] },
    });
    expect(parseNodePodCidrs(json)).toEqual(new Map([["vm", { podCidrs: ["10.42.0.0/24"] }]]));
  });

  it("falls back to spec.podCIDR and tolerates a node without one", () => {
    const json = JSON.stringify({
      items: [
        { metadata: { name: "a" }, spec: { podCIDR: "10.42.1.0/24" } },
        { metadata: { name: "b" }, spec: {} },
      ],
    });
    expect(parseNodePodCidrs(json)).toEqual(
      new Map([
        ["a", { podCidrs: ["10.42.1.0/24"] }],
        ["b", { podCidrs: [] }],
      ]),
    );
  });

  it("reads each node's InternalIP and Flannel's backend, as k3s's Flannel annotates them", () => {
    const json = JSON.stringify({
      items: [
        {
          metadata: {
            name: "worker-node-2",
            annotations: { "flannel.alpha.coreos.com/backend-type": "vxlan" },
          },
          spec: { podCIDRs: ["10.244.2.0/24"] },
          status: {
            addresses: [
              { type: "Hostname", address: "worker-node-2" },
              { type: "InternalIP", address: "192.168.56.12" },
            ],
          },
        },
      ],
    });
    expect(parseNodePodCidrs(json).get("worker-node-2")).toEqual({
      podCidrs: ["10.244.2.0/24"],
      internalIp: "192.168.56.12",
      overlay: "flannel vxlan",
    });
  });
});
