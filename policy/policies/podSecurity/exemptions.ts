/**
 * What a finding needs an exemption to grant before it is waived: one capability added, or
 * running as root, in one container.
 */
export type Grant =
  | { readonly kind: "add-capability"; readonly container: string; readonly capability: string }
  | { readonly kind: "run-as-root"; readonly container: string }
  /** The pod shares the node's network namespace: a pod-level grant, for the pod's one container. */
  | { readonly kind: "host-network" };

/** An exemption from the Pod Security Standards for one container of one resource. */
export interface Exemption {
  /**
   * The resources it covers, by the qualified type of their URN: the resource's type after its
   * parents' types, `pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod`.
   * The engine derives it from the program's resource tree, so no manifest can claim it.
   */
  readonly resource: string;
  /** The one container it covers; the pod's other containers get nothing. */
  readonly container: string;
  /** Capabilities the container may add beyond the profile's: waives pss-capabilities for them. */
  readonly addCapabilities: readonly string[];
  /** Whether the container may run as root: waives pss-run-as-non-root and pss-run-as-user. */
  readonly runAsRoot: boolean;
  /** Whether its pod may use the node's network namespace: waives pss-host-namespaces for it. */
  readonly hostNetwork?: boolean;
  /** Why it is needed, shown in every preview. */
  readonly reason: string;
}

/**
 * The pack's exemptions, one list for every control, reported once per pod by
 * pod-security-exemptions. They live here rather than in policy config because CrossGuard gives
 * each policy only its own config: an exemption that spans three controls would have to be copied
 * into each, and could drift. They are keyed by URN, not by a label: a label is part of the pod's
 * own manifest, so any pod, template or YAML file can claim it, while the URN's qualified type is the
 * engine's record of which component made the resource: here the one Pod the BusyboxClient of a
 * PodToPodLab creates, one per lab (a program's own lab, or one a consumer's program adds).
 */
export const EXEMPTIONS: readonly Exemption[] = [
  {
    resource: "pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod",
    container: "busybox",
    addCapabilities: ["NET_RAW"],
    runAsRoot: true,
    reason:
      "busybox ping opens a raw ICMP socket, which needs NET_RAW, and only root can use an added capability (Kubernetes grants a non-root process no ambient capabilities)",
  },
];

/**
 * The every-node mesh's exemptions (`pod-to-pod:coverage: every-node`), keyed like the pair's: the
 * mesh's clients ping as busybox-client does, and its node probes are in the node's network
 * namespace, which is what they probe from. No other grant, and no other resource.
 */
export const MESH_EXEMPTIONS: readonly Exemption[] = [
  {
    resource:
      "pod-to-pod:index:PodToPodLab$pod-to-pod:lab:NodeMesh$pod-to-pod:lab:MeshClients$kubernetes:apps/v1:DaemonSet",
    container: "busybox",
    addCapabilities: ["NET_RAW"],
    runAsRoot: true,
    reason:
      "the mesh's clients ping every node's echo server, full-size pings included, which needs a raw ICMP socket (NET_RAW) and root to use it",
  },
  {
    resource:
      "pod-to-pod:index:PodToPodLab$pod-to-pod:lab:NodeMesh$pod-to-pod:lab:MeshNodeProbes$kubernetes:apps/v1:DaemonSet",
    container: "probe",
    addCapabilities: [],
    runAsRoot: false,
    hostNetwork: true,
    reason:
      "the node probes reach the other nodes' pods from the node's own network namespace (node to pod) and read the node's links; they run as nobody, with no capability, host path or port",
  },
];

/** The lab's exemptions: its busybox client's, and its every-node mesh's. */
export const LAB_EXEMPTIONS: readonly Exemption[] = [...EXEMPTIONS, ...MESH_EXEMPTIONS];

/** `<qualified type>` of `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export function resourceKey(urn: string): string | undefined {
  const parts = urn.split("::");
  if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) {
    return undefined;
  }
  // A name may itself contain "::", a type never does.
  return parts[2];
}

/** The exemptions of the resource with this URN. */
export function exemptionsFor(
  urn: string,
  exemptions: readonly Exemption[] = LAB_EXEMPTIONS,
): Exemption[] {
  const key = resourceKey(urn);
  return exemptions.filter((e) => e.resource === key);
}

/** Whether the exemption grants what the finding needs. */
export function grants(exemption: Exemption, grant: Grant): boolean {
  if (grant.kind === "host-network") {
    return exemption.hostNetwork === true;
  }
  if (exemption.container !== grant.container) {
    return false;
  }
  return grant.kind === "add-capability"
    ? exemption.addCapabilities.includes(grant.capability)
    : exemption.runAsRoot;
}
