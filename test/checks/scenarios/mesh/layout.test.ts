import { describe, expect, it } from "vitest";
import { ownPods, parseDaemonSets, parseMeshPods } from "../../../../checks/scenarios/mesh/layout";

const pod = (name: string, ownerReferences?: unknown[]) => ({
  metadata: { name, uid: `uid-${name}`, ...(ownerReferences ? { ownerReferences } : {}) },
  spec: { nodeName: "vm" },
  status: { podIP: "10.42.0.7", conditions: [{ type: "Ready", status: "True" }] },
});

describe("the mesh's own pods", () => {
  const listed = parseMeshPods(
    JSON.stringify({
      items: [
        pod("mesh-client-0", [
          { kind: "ConfigMap", name: "decoy-owner", uid: "cm-1", controller: true },
        ]),
        pod("mesh-client-abcde", [
          { kind: "Node", name: "vm", uid: "node-1" },
          { kind: "DaemonSet", name: "mesh-client", uid: "ds-1", controller: true },
        ]),
        pod("mesh-client-stray"),
        pod("mesh-client-forged", [
          { kind: "DaemonSet", name: "mesh-client", uid: "ds-old", controller: true },
        ]),
      ],
    }),
  );

  it("reads each pod's controller, the owner marked controller and no other", () => {
    expect(listed.map((p) => [p.name, p.controller])).toEqual([
      ["mesh-client-0", { kind: "ConfigMap", name: "decoy-owner", uid: "cm-1" }],
      ["mesh-client-abcde", { kind: "DaemonSet", name: "mesh-client", uid: "ds-1" }],
      ["mesh-client-stray", undefined],
      ["mesh-client-forged", { kind: "DaemonSet", name: "mesh-client", uid: "ds-old" }],
    ]);
  });

  it("keeps only the pods the DaemonSet itself controls, by its UID, and names every other", () => {
    const uids = parseDaemonSets(
      JSON.stringify({ items: [{ metadata: { name: "mesh-client", uid: "ds-1" } }] }),
    );
    expect(uids).toEqual(new Map([["mesh-client", "ds-1"]]));
    const own = ownPods(listed, "mesh-client", uids.get("mesh-client"), "clients");
    expect(own.pods).toEqual([
      {
        name: "mesh-client-abcde",
        node: "vm",
        ip: "10.42.0.7",
        uid: "uid-mesh-client-abcde",
        ready: true,
      },
    ]);
    expect(own.ignored).toEqual([
      "pod mesh-client-0 on vm carries the mesh clients' labels, but no DaemonSet of the mesh controls it (its controller: ConfigMap decoy-owner)",
      "pod mesh-client-stray on vm carries the mesh clients' labels, but no DaemonSet of the mesh controls it (no controller)",
      "pod mesh-client-forged on vm carries the mesh clients' labels, but no DaemonSet of the mesh controls it (its controller: DaemonSet mesh-client)",
    ]);
  });

  it("takes no pod at all where the DaemonSet is not there, and says so", () => {
    const own = ownPods(listed, "mesh-client", undefined, "clients");
    expect(own.pods).toEqual([]);
    expect(own.ignored[0]).toBe("no DaemonSet mesh-client");
    expect(own.ignored).toHaveLength(5);
  });
});
