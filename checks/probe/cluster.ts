/**
 * What the API server says of the lab, typed once for every scenario: a `kubectl get <kinds> -o
 * json` read into its nodes, pods, Services' endpoints and NetworkPolicies. The mesh reads its
 * layout from one such list; the pair its nodes' pod CIDRs, its Service's endpoints, the lab's
 * pods and policies.
 */

/** A label selector, as Kubernetes objects carry it. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[];
  }>;
}

/** An object of the list, as far as the checks read it (a Node, Pod, DaemonSet, Service, EndpointSlice, NetworkPolicy). */
export interface ApiObject {
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly creationTimestamp?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly ownerReferences?: ReadonlyArray<{
      readonly kind?: string;
      readonly name?: string;
      readonly uid?: string;
      readonly controller?: boolean;
    }>;
  };
  readonly spec?: {
    readonly nodeName?: string;
    readonly unschedulable?: boolean;
    readonly taints?: ReadonlyArray<{ readonly effect?: string }>;
    readonly podCIDR?: string;
    readonly podCIDRs?: readonly string[];
    readonly clusterIP?: string;
    /** A NetworkPolicy's: the pods it selects, and its rules. */
    readonly podSelector?: LabelSelector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: ReadonlyArray<{
      readonly from?: ReadonlyArray<{
        readonly podSelector?: LabelSelector;
        readonly namespaceSelector?: LabelSelector;
        readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
      }>;
      readonly ports?: ReadonlyArray<{
        readonly port?: number | string;
        readonly protocol?: string;
      }>;
    }>;
    readonly egress?: readonly unknown[];
  };
  readonly status?: {
    readonly podIP?: string;
    readonly conditions?: ReadonlyArray<{ readonly type?: string; readonly status?: string }>;
    readonly addresses?: ReadonlyArray<{ readonly type?: string; readonly address?: string }>;
  };
  readonly endpoints?: ReadonlyArray<{
    readonly addresses?: readonly string[];
    readonly conditions?: { readonly ready?: boolean };
    readonly targetRef?: { readonly kind?: string; readonly name?: string; readonly uid?: string };
  }>;
}

/**
 * The objects kubectl printed: a List's items, or the object itself when one name was asked for
 * (kubectl prints the bare object then).
 */
export function apiObjects(json: string): ApiObject[] {
  const parsed = JSON.parse(json) as ApiObject & { items?: ApiObject[] };
  return parsed.kind === "List" || parsed.items ? (parsed.items ?? []) : [parsed];
}

/** The objects of one kind. */
export function ofKind(objects: readonly ApiObject[], kind: string): ApiObject[] {
  return objects.filter((object) => object.kind === kind);
}

/** A node as the checks see it. */
export interface NodeView {
  readonly name: string;
  /** spec.podCIDRs: the node's share of the pod network. */
  readonly podCidrs: readonly string[];
  /** Its InternalIP: where other nodes send its pods' traffic. */
  readonly internalIp?: string;
  /** The overlay carrying pod traffic between nodes, where the CNI says (Flannel: "vxlan"). */
  readonly overlay?: string;
  /**
   * Whether a pod can be scheduled there: not cordoned, no NoSchedule or NoExecute taint (the
   * lab's pods tolerate none).
   */
  readonly schedulable: boolean;
}

/** Flannel's own record of how it carries a node's pod traffic (k3s's default CNI). */
const FLANNEL_BACKEND = "flannel.alpha.coreos.com/backend-type";

/** The nodes of the list, by name. */
export function nodesOf(objects: readonly ApiObject[]): Map<string, NodeView> {
  return new Map(
    ofKind(objects, "Node").flatMap((node): Array<[string, NodeView]> => {
      const name = node.metadata?.name;
      if (!name) {
        return [];
      }
      const internalIp = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
      const backend = node.metadata?.annotations?.[FLANNEL_BACKEND];
      const tainted = (node.spec?.taints ?? []).some(
        (t) => t.effect === "NoSchedule" || t.effect === "NoExecute",
      );
      return [
        [
          name,
          {
            name,
            podCidrs: node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []),
            ...(internalIp ? { internalIp } : {}),
            ...(backend ? { overlay: `flannel ${backend}` } : {}),
            schedulable: node.spec?.unschedulable !== true && !tainted,
          },
        ],
      ];
    }),
  );
}

/** A pod as the checks see it: where it runs, its address, whether Ready, who controls it. */
export interface PodView {
  readonly name: string;
  readonly namespace: string;
  /** The node it is scheduled on ("" while it is not). */
  readonly node: string;
  /** Its pod IP ("" while it has none). */
  readonly ip: string;
  readonly uid: string;
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** The object that controls it (its controller ownerReference), where one does. */
  readonly controller?: { readonly kind: string; readonly name: string; readonly uid: string };
  /** When it was created (RFC 3339, which sorts as text). */
  readonly created?: string;
}

/** The pods of the list. */
export function podsOf(objects: readonly ApiObject[]): PodView[] {
  return ofKind(objects, "Pod").flatMap((pod): PodView[] => {
    const { metadata, spec, status } = pod;
    if (!metadata?.name) {
      return [];
    }
    const owner = metadata.ownerReferences?.find((o) => o.controller === true);
    return [
      {
        name: metadata.name,
        namespace: metadata.namespace ?? "",
        node: spec?.nodeName ?? "",
        ip: status?.podIP ?? "",
        uid: metadata.uid ?? "",
        ready: status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
        labels: metadata.labels ?? {},
        ...(owner
          ? { controller: { kind: owner.kind ?? "", name: owner.name ?? "", uid: owner.uid ?? "" } }
          : {}),
        ...(metadata.creationTimestamp ? { created: metadata.creationTimestamp } : {}),
      },
    ];
  });
}

/** One endpoint of a Service, as its EndpointSlices list it. */
export interface ServiceEndpoint {
  /** The endpoint's address (the pod IP). */
  readonly ip: string;
  /** The pod behind it, where the slice names one (targetRef). */
  readonly podName?: string;
  /** That pod's UID. */
  readonly podUid?: string;
  /** Whether the endpoint is ready to serve. */
  readonly ready: boolean;
}

/**
 * Every endpoint of the Service `service`: each address of each of its EndpointSlices, with the pod
 * it belongs to. An endpoint whose `ready` is unset counts as ready, as Kubernetes reads it.
 */
export function endpointsOf(objects: readonly ApiObject[], service: string): ServiceEndpoint[] {
  return ofKind(objects, "EndpointSlice")
    .filter((slice) => slice.metadata?.labels?.["kubernetes.io/service-name"] === service)
    .flatMap((slice) =>
      (slice.endpoints ?? []).flatMap((endpoint) =>
        (endpoint.addresses ?? []).map((ip) => ({
          ip,
          ready: endpoint.conditions?.ready ?? true,
          ...(endpoint.targetRef?.kind === "Pod" && endpoint.targetRef.name
            ? { podName: endpoint.targetRef.name }
            : {}),
          ...(endpoint.targetRef?.kind === "Pod" && endpoint.targetRef.uid
            ? { podUid: endpoint.targetRef.uid }
            : {}),
        })),
      ),
    );
}
