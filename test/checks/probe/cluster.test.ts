import { describe, expect, it } from "vitest";
import { apiObjects, endpointsOf, nodesOf, podsOf } from "../../../checks/probe/cluster";
import { endpointSlicesJson, fixture, SEED_SERVER_UID, seedEndpoints } from "../../helpers";

describe("apiObjects", () => {
  it("reads a List's items, and the bare object kubectl prints for one name", () => {
    const node = { kind: "Node", metadata: { name: "vm" } };
    expect(apiObjects(JSON.stringify({ kind: "List", items: [node, node] }))).toEqual([node, node]);
    expect(apiObjects(JSON.stringify({ kind: "List", items: [] }))).toEqual([]);
    expect(apiObjects(JSON.stringify(node))).toEqual([node]);
  });
});

describe("nodesOf, on a node as k3s's API server gives it", () => {
  it("reads its name, pod CIDRs, InternalIP and Flannel's backend, and takes it for schedulable", () => {
    const json = fixture("k3s/node-p2p-node2.json");
    expect([...nodesOf(apiObjects(json)).values()]).toEqual([
      {
        name: "p2p-node2",
        podCidrs: ["10.42.1.0/24"],
        internalIp: "192.168.240.2",
        overlay: "flannel vxlan",
        schedulable: true,
      },
    ]);
  });
});

describe("podsOf", () => {
  it("reads where each pod runs, its address, readiness, labels and controller", () => {
    const json = JSON.stringify({
      kind: "List",
      items: [
        {
          kind: "Pod",
          metadata: {
            name: "mesh-client-x1",
            namespace: "lab",
            uid: "u1",
            creationTimestamp: "2026-12-05T08:00:00Z",
            labels: { app: "mesh-client" },
            ownerReferences: [
              { kind: "ReplicaSet", name: "other", uid: "r" },
              { kind: "DaemonSet", name: "mesh-client", uid: "d", controller: true },
            ],
          },
          spec: { nodeName: "vm" },
          status: {
            podIP: "10.42.0.9",
            conditions: [
              { type: "PodScheduled", status: "True" },
              { type: "Ready", status: "True" },
            ],
          },
        },
        { kind: "Pod", metadata: { name: "pending" }, status: {} },
        { kind: "Pod", metadata: {} },
        { kind: "Service", metadata: { name: "mesh-echo" } },
      ],
    });
    expect(podsOf(apiObjects(json))).toEqual([
      {
        name: "mesh-client-x1",
        namespace: "lab",
        node: "vm",
        ip: "10.42.0.9",
        uid: "u1",
        ready: true,
        labels: { app: "mesh-client" },
        controller: { kind: "DaemonSet", name: "mesh-client", uid: "d" },
        created: "2026-12-05T08:00:00Z",
      },
      { name: "pending", namespace: "", node: "", ip: "", uid: "", ready: false, labels: {} },
    ]);
  });
});

describe("endpointsOf", () => {
  it("reads every address of the Service's own slices with its pod, counting an unset ready as ready", () => {
    const slice = (service: string, endpoints: unknown[]) => ({
      kind: "EndpointSlice",
      metadata: { labels: { "kubernetes.io/service-name": service } },
      endpoints,
    });
    const json = JSON.stringify({
      kind: "List",
      items: [
        slice("nginx-service", [
          {
            addresses: ["10.42.0.7"],
            conditions: { ready: true },
            targetRef: { kind: "Pod", name: "nginx-server", uid: SEED_SERVER_UID },
          },
        ]),
        slice("nginx-service", [
          { addresses: ["10.42.1.3"] },
          { addresses: ["10.42.1.4"], conditions: { ready: false } },
        ]),
        slice("other-service", [{ addresses: ["10.42.1.9"] }]),
        { kind: "Pod", metadata: { name: "nginx-server" } },
        { kind: "EndpointSlice" },
      ],
    });
    expect(endpointsOf(apiObjects(json), "nginx-service")).toEqual([
      { ip: "10.42.0.7", ready: true, podName: "nginx-server", podUid: SEED_SERVER_UID },
      { ip: "10.42.1.3", ready: true },
      { ip: "10.42.1.4", ready: false },
    ]);
  });

  it("reads what the helpers write", () => {
    expect(endpointsOf(apiObjects(endpointSlicesJson(seedEndpoints)), "nginx-service")).toEqual(
      seedEndpoints,
    );
  });
});

describe("nodesOf", () => {
  const podCidrsOf = (json: string) =>
    new Map([...nodesOf(apiObjects(json))].map(([name, node]) => [name, node.podCidrs]));

  it("reads the bare Node that kubectl prints for a single name", () => {
    const json = JSON.stringify({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "vm" },
      spec: { podCIDR: "10.42.0.0/24", podCIDRs: ["10.42.0.0/24"] },
    });
    expect(podCidrsOf(json)).toEqual(new Map([["vm", ["10.42.0.0/24"]]]));
  });

  it("falls back to spec.podCIDR and tolerates a node without one", () => {
    const json = JSON.stringify({
      kind: "List",
      items: [
        { kind: "Node", metadata: { name: "a" }, spec: { podCIDR: "10.42.1.0/24" } },
        { kind: "Node", metadata: { name: "b" }, spec: {} },
      ],
    });
    expect(podCidrsOf(json)).toEqual(
      new Map([
        ["a", ["10.42.1.0/24"]],
        ["b", []],
      ]),
    );
  });

  it("reads each node's InternalIP and Flannel's backend, as k3s's Flannel annotates them", () => {
    const json = JSON.stringify({
      kind: "List",
      items: [
        {
          kind: "Node",
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
    expect(nodesOf(apiObjects(json)).get("worker-node-2")).toEqual({
      name: "worker-node-2",
      podCidrs: ["10.244.2.0/24"],
      internalIp: "192.168.56.12",
      overlay: "flannel vxlan",
      schedulable: true,
    });
  });

  it("takes a cordoned node, or one with a NoSchedule or NoExecute taint, for unschedulable", () => {
    const node = (name: string, spec: object) => ({ kind: "Node", metadata: { name }, spec });
    const json = JSON.stringify({
      kind: "List",
      items: [
        node("open", { taints: [{ effect: "PreferNoSchedule" }] }),
        node("cordoned", { unschedulable: true }),
        node("no-schedule", { taints: [{ effect: "NoSchedule" }] }),
        node("no-execute", { taints: [{ effect: "NoExecute" }] }),
      ],
    });
    expect([...nodesOf(apiObjects(json)).values()].map((n) => [n.name, n.schedulable])).toEqual([
      ["open", true],
      ["cordoned", false],
      ["no-schedule", false],
      ["no-execute", false],
    ]);
  });
});
