import { formatLabels, kindOf, objectName } from "./pods";
import { StackPod } from "./services";
import { ObjectMeta, PolicyResource } from "./types";

/** The namespace an object lands in when it names none (the provider may choose another). */
const DEFAULT_NAMESPACE = "default";

/** One requirement of a label selector's matchExpressions. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string;
  readonly values?: readonly string[];
}

/** A Kubernetes label selector; empty selects every pod of the namespace. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** The fields of a NetworkPolicy's spec the policies read. */
interface NetworkPolicySpec {
  readonly podSelector?: LabelSelector;
  readonly policyTypes?: readonly string[];
  readonly ingress?: readonly unknown[];
  readonly egress?: readonly unknown[];
}

/** A NetworkPolicy of the stack. */
export interface StackNetworkPolicy {
  readonly resource: PolicyResource;
  /** `NetworkPolicy default-deny`. */
  readonly subject: string;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  /** The directions it isolates: policyTypes, or as Kubernetes defaults it when unset. */
  readonly policyTypes: readonly string[];
  readonly ingress: readonly unknown[];
}

/** Whether the selector's labels and expressions all hold for the labels, as the API decides. */
export function selects(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const has = Object.prototype.hasOwnProperty.call(labels, key);
      switch (operator) {
        case "In":
          return has && values.includes(labels[key]);
        case "NotIn":
          return !has || !values.includes(labels[key]);
        case "Exists":
          return has;
        case "DoesNotExist":
          return !has;
        default:
          // The API server refuses any other operator; a selector with one selects nothing.
          return false;
      }
    })
  );
}

/** A selector as messages show it: `{app=nginx}`, `{}` for every pod. */
export function describeSelector(selector: LabelSelector): string {
  const expressions = (selector.matchExpressions ?? []).map(
    ({ key, operator, values }) =>
      `${key} ${operator}${values?.length ? ` (${values.join(", ")})` : ""}`,
  );
  const labels = Object.keys(selector.matchLabels ?? {}).length
    ? [formatLabels(selector.matchLabels ?? {})]
    : [];
  return `{${[...labels, ...expressions].join(", ")}}`;
}

/**
 * The networking.k8s.io NetworkPolicies of the stack. policyTypes unset means Ingress, plus Egress
 * when the policy has egress rules, as the API server defaults it.
 */
export function stackNetworkPolicies(resources: readonly PolicyResource[]): StackNetworkPolicy[] {
  return resources.flatMap((resource) => {
    if (
      kindOf(resource.type) !== "NetworkPolicy" ||
      !resource.type.startsWith("kubernetes:networking.k8s.io/")
    ) {
      return [];
    }
    const metadata = resource.props.metadata as ObjectMeta | undefined;
    const spec = (resource.props.spec ?? {}) as NetworkPolicySpec;
    const egress = spec.egress ?? [];
    return [
      {
        resource,
        subject: `NetworkPolicy ${objectName(resource)}`,
        namespace: metadata?.namespace ?? DEFAULT_NAMESPACE,
        podSelector: spec.podSelector ?? {},
        policyTypes: spec.policyTypes ?? (egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"]),
        ingress: spec.ingress ?? [],
      },
    ];
  });
}

/**
 * The namespace a pod of the stack lands in. One a preview cannot know yet throws, so the SDK
 * reports the rule as not run rather than the rule guessing a namespace.
 */
export function namespaceOf(pod: StackPod): string {
  return pod.pod.namespace ?? DEFAULT_NAMESPACE;
}

/** The stack's NetworkPolicies that select the pod: same namespace, selector matching. */
export function policiesSelecting(
  pod: StackPod,
  policies: readonly StackNetworkPolicy[],
): StackNetworkPolicy[] {
  return policies.filter(
    (p) => p.namespace === namespaceOf(pod) && selects(p.podSelector, pod.pod.labels),
  );
}

/** The stack's pods a NetworkPolicy selects. */
export function podsSelectedBy(policy: StackNetworkPolicy, pods: readonly StackPod[]): StackPod[] {
  return pods.filter(
    (pod) => namespaceOf(pod) === policy.namespace && selects(policy.podSelector, pod.pod.labels),
  );
}

/**
 * Whether the policy denies all ingress by default in its namespace: it selects every pod, isolates
 * Ingress, and allows no source.
 */
export function isDefaultDenyIngress(policy: StackNetworkPolicy): boolean {
  const selector = policy.podSelector;
  const all =
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0;
  return all && policy.policyTypes.includes("Ingress") && policy.ingress.length === 0;
}
