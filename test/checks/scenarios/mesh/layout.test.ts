import { describe, expect, it } from "vitest";
import { LAYOUT_KINDS, ownPods, parseLayout } from "../../../../checks/scenarios/mesh/layout";
import { meshPlan } from "./fixtures";

const labels = { app: "mesh-client" };
const pod = (name: string, node: string, ownerReferences?: unknown[]) => ({
  kind: "Pod",
  metadata: { name, uid: `uid-${name}`, labels, ...(ownerReferences ? { ownerReferences } : {}) },
  spec: { nodeName: node },
  status: { podIP: "10.42.0.7", conditions: [{ type: "Ready", status: "True" }] },
});
const daemonSet = (name: string, uid: string) => ({ kind: "DaemonSet", metadata: { name, uid } });
const client = { kind: "DaemonSet", name: "mesh-client", uid: "ds-1", controller: true };

/** The list `kubectl get LAYOUT_KINDS` prints for the objects given. */
const list = (...items: object[]) => JSON.stringify({ kind: "List", items });

const service = {
  kind: "Service",
  metadata: { name: "mesh-echo" },
  spec: { clusterIP: "10.43.7.7" },
};

describe("the mesh's layout, read in one list", () => {
  it("lists every kind it reads in one kubectl get", () => {
    expect(LAYOUT_KINDS).toBe("nodes,daemonsets,pods,services,endpointslices");
  });

  it("keeps only the pods the DaemonSet itself controls, by its UID, and names every other", () => {
    const read = parseLayout(
      list(
        { kind: "Node", metadata: { name: "vm" }, spec: {} },
        { kind: "Node", metadata: { name: "cordoned" }, spec: { unschedulable: true } },
        daemonSet("mesh-client", "ds-1"),
        pod("mesh-client-0", "vm", [
          { kind: "ConfigMap", name: "decoy-owner", uid: "cm-1", controller: true },
        ]),
        pod("mesh-client-abcde", "vm", [{ kind: "Node", name: "vm", uid: "n" }, client]),
        pod("mesh-client-stray", "vm"),
        pod("mesh-client-forged", "vm", [{ ...client, uid: "ds-old" }]),
        { ...pod("nginx-server", "vm"), metadata: { name: "nginx-server", labels: {} } },
        service,
        {
          kind: "EndpointSlice",
          metadata: { labels: { "kubernetes.io/service-name": "mesh-echo" } },
          endpoints: [{ addresses: ["10.42.0.9"], conditions: { ready: true } }],
        },
        {
          kind: "EndpointSlice",
          metadata: { labels: { "kubernetes.io/service-name": "nginx-service" } },
          endpoints: [{ addresses: ["10.42.0.8"] }],
        },
      ),
      meshPlan,
    );
    expect(read.layout.nodes).toEqual(["vm"]);
    expect([...read.layout.clients.values()]).toEqual([
      {
        name: "mesh-client-abcde",
        node: "vm",
        ip: "10.42.0.7",
        uid: "uid-mesh-client-abcde",
        ready: true,
      },
    ]);
    expect(read.layout.ignored).toEqual([
      "no DaemonSet mesh-echo",
      "pod mesh-client-0 on vm carries the mesh clients' labels, but no DaemonSet of the mesh controls it (its controller: ConfigMap decoy-owner)",
      "pod mesh-client-stray on vm carries the mesh clients' labels, but no DaemonSet of the mesh controls it (no controller)",
      "pod mesh-client-forged on vm carries the mesh clients' labels, but no DaemonSet of the mesh controls it (its controller: DaemonSet mesh-client)",
      "no DaemonSet mesh-node-probe",
    ]);
    expect(read.layout.missing).toEqual(["vm: no echo server, no node probe"]);
    expect(read.clusterIp).toBe("10.43.7.7");
    expect(read.endpoints).toEqual([{ ip: "10.42.0.9", ready: true }]);
  });

  it("takes no pod at all where the DaemonSet is not there", () => {
    const listed = {
      name: "mesh-client-abcde",
      node: "vm",
      ip: "10.42.0.7",
      uid: "u",
      ready: true,
      labels: {},
      namespace: "lab",
    };
    const own = ownPods([{ ...listed, controller: client }], "mesh-client", undefined, "clients");
    expect(own).toEqual({
      pods: [],
      ignored: [
        "no DaemonSet mesh-client",
        "pod mesh-client-abcde on vm carries the mesh clients' labels, but no DaemonSet of the mesh controls it (its controller: DaemonSet mesh-client)",
      ],
    });
  });

  it("probes the oldest of two Ready pods the DaemonSet controls on one node: the one it keeps", () => {
    const at = (name: string, created: string) => ({
      ...pod(name, "vm", [client]),
      metadata: { ...pod(name, "vm", [client]).metadata, creationTimestamp: created },
    });
    const read = parseLayout(
      list(
        daemonSet("mesh-client", "ds-1"),
        at("mesh-client-0", "2026-12-05T06:00:00Z"),
        at("mesh-client-abcde", "2026-12-05T05:00:00Z"),
        service,
      ),
      meshPlan,
    );
    expect(read.layout.clients.get("vm")?.name).toBe("mesh-client-abcde");
  });

  it("refuses a selector that is not equalities, naming it", () => {
    for (const selector of ["app!=mesh-client", "app in (a,b)", "app==x"]) {
      expect(() =>
        parseLayout(list(pod("p", "vm"), service), { ...meshPlan, clientSelector: selector }),
      ).toThrow(`the mesh's label selectors are equalities (k=v,k=v), got "${selector}"`);
    }
  });

  it("fails, naming it, where the mesh's Service is not there", () => {
    expect(() => parseLayout(list(daemonSet("mesh-client", "ds-1")), meshPlan)).toThrow(
      "the mesh's Service mesh-echo is not in namespace lab",
    );
  });
});
