import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import {
  EXEMPTIONS,
  exemptionsFor,
  MESH_EXEMPTIONS,
  podSecurityExemptions,
  podSecurityPolicies,
} from "../../policy/policies";
import { check, goodPod, Mutable, PodManifest, pssProblem, typeToken } from "./harness";

const DAEMONSET = typeToken(k8s.apps.v1.DaemonSet);
const PROBE_URN =
  "urn:pulumi:dev::pod-to-pod::pod-to-pod:index:PodToPodLab$pod-to-pod:lab:NodeMesh$pod-to-pod:lab:MeshNodeProbes$kubernetes:apps/v1:DaemonSet::mesh-node-probes-daemonset";
const WHERE = "policy/policies/podSecurity/exemptions.ts";

/** The node probe's pod as NodeMesh builds it: nobody, no capability, hostNetwork. */
function probePod(change?: (pod: Mutable<PodManifest>) => void): PodManifest {
  return goodPod((p) => {
    p.metadata.name = "mesh-node-probe";
    p.spec.hostNetwork = true;
    p.spec.containers[0].name = "probe";
    delete (p.spec.containers[0] as { ports?: unknown }).ports;
    change?.(p);
  });
}

function daemonSet(pod: PodManifest): object {
  return {
    metadata: { name: "mesh-node-probe", namespace: pod.metadata.namespace },
    spec: { selector: { matchLabels: pod.metadata.labels }, template: pod },
  };
}

async function pssFindings(pod: PodManifest, urn: string): Promise<string[]> {
  const found: string[] = [];
  for (const policy of podSecurityPolicies) {
    for (const { message, level } of await check(policy, daemonSet(pod), {
      type: DAEMONSET,
      urn,
    })) {
      found.push(`${level} ${policy.name}: ${pssProblem(message)}`);
    }
  }
  return found;
}

describe("the mesh's exemptions", () => {
  it("are kept apart from the pair's, each for its own DaemonSet", () => {
    expect(MESH_EXEMPTIONS.map((e) => e.resource)).toEqual([
      "pod-to-pod:index:PodToPodLab$pod-to-pod:lab:NodeMesh$pod-to-pod:lab:MeshClients$kubernetes:apps/v1:DaemonSet",
      "pod-to-pod:index:PodToPodLab$pod-to-pod:lab:NodeMesh$pod-to-pod:lab:MeshNodeProbes$kubernetes:apps/v1:DaemonSet",
    ]);
    expect(exemptionsFor(PROBE_URN)).toEqual([MESH_EXEMPTIONS[1]]);
    expect(EXEMPTIONS.some((e) => e.hostNetwork)).toBe(false);
  });

  it("waive hostNetwork for the node probe, and nothing else of it", async () => {
    expect(await pssFindings(probePod(), PROBE_URN)).toEqual([]);
    expect(
      await pssFindings(
        probePod((p) => {
          p.spec.hostPID = true;
        }),
        PROBE_URN,
      ),
    ).toEqual([
      "mandatory pss-host-namespaces: DaemonSet mesh-node-probe (pod template): spec.hostPID is true",
    ]);
  });

  it("waive nothing for another DaemonSet on the node's network", async () => {
    // Keyed by the engine's record of which components made it, not by its name: a DaemonSet
    // anywhere else in the program's tree (here one the lab itself made) gets nothing.
    const other = PROBE_URN.replace("$pod-to-pod:lab:NodeMesh$pod-to-pod:lab:MeshNodeProbes", "");
    expect(await pssFindings(probePod(), other)).toEqual([
      "mandatory pss-host-namespaces: DaemonSet mesh-node-probe (pod template): spec.hostNetwork is true",
    ]);
  });

  it("show the node probe's exemption in every preview, and fail it once it is not needed", async () => {
    expect(
      await check(podSecurityExemptions, daemonSet(probePod()), {
        type: DAEMONSET,
        urn: PROBE_URN,
      }),
    ).toEqual([
      {
        level: "advisory",
        message: `DaemonSet mesh-node-probe (pod template), container probe may use the node's network namespace (pss-host-namespaces): exempt as ${MESH_EXEMPTIONS[1].resource} in ${WHERE}, because ${MESH_EXEMPTIONS[1].reason}.`,
      },
    ]);
    const unneeded = probePod((p) => {
      delete p.spec.hostNetwork;
    });
    expect(
      await check(podSecurityExemptions, daemonSet(unneeded), { type: DAEMONSET, urn: PROBE_URN }),
    ).toEqual([
      {
        level: "mandatory",
        message: `DaemonSet mesh-node-probe (pod template), container probe: its exemption lets it use the node's network namespace, which no control needs of it; accepted: an exemption that grants only what the container uses (remove "use the node's network namespace" from ${WHERE}).`,
      },
    ]);
  });
});
