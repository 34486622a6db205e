import { ApiObject, LabelSelector } from "../probe/cluster";
import { cidrContains } from "./ipv4";

/** Whether a selector selects a set of labels, as the API server defines it. */
export function selects(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (!selector) {
    return false;
  }
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(
    ([key, value]) => labels[key] === value,
  );
  const byExpressions = (selector.matchExpressions ?? []).every((expression) => {
    const value = labels[expression.key];
    switch (expression.operator) {
      case "In":
        return value !== undefined && (expression.values ?? []).includes(value);
      case "NotIn":
        return value === undefined || !(expression.values ?? []).includes(value);
      case "Exists":
        return value !== undefined;
      case "DoesNotExist":
        return value === undefined;
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
}

/** A pod as the policies see it. */
export interface PolicyPeer {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ip: string;
}

/** What a namespace's policies say about one source reaching one pod on one TCP port. */
export interface IngressVerdict {
  /** The policies that select the target for ingress: with none, every source may reach it. */
  readonly isolatedBy: readonly string[];
  /** The policies with a rule that lets the source in on that port. */
  readonly allowedBy: readonly string[];
  /** Whether the source may reach the target, by the objects (not by what enforces them). */
  readonly allowed: boolean;
}

function appliesToIngress(policy: ApiObject): boolean {
  // Without policyTypes a policy always restricts ingress (and egress only when it has egress rules).
  return policy.spec?.policyTypes ? policy.spec.policyTypes.includes("Ingress") : true;
}

/**
 * Reads the policies of the target's namespace for a source in the same namespace: which isolate
 * the target and which let the source in on `port` (a number, or the name of the target's port).
 * A peer with a namespaceSelector counts when it selects every namespace ({}); one naming
 * namespaces by label cannot be read without them and is not counted as an allow.
 */
export function ingressVerdict(
  policies: readonly ApiObject[],
  target: PolicyPeer,
  source: PolicyPeer,
  port: { readonly number: number; readonly name?: string },
): IngressVerdict {
  const isolating = policies.filter(
    (policy) => appliesToIngress(policy) && selects(policy.spec?.podSelector ?? {}, target.labels),
  );
  const allowing = isolating.filter((policy) =>
    (policy.spec?.ingress ?? []).some((rule) => {
      const portOk =
        !rule.ports ||
        rule.ports.length === 0 ||
        rule.ports.some(
          (p) =>
            (p.protocol ?? "TCP") === "TCP" &&
            (p.port === undefined ||
              p.port === port.number ||
              (port.name !== undefined && p.port === port.name)),
        );
      const fromOk =
        !rule.from ||
        rule.from.length === 0 ||
        rule.from.some((peer) => {
          if (peer.ipBlock) {
            return (
              cidrContains(peer.ipBlock.cidr, source.ip) &&
              !(peer.ipBlock.except ?? []).some((cidr) => cidrContains(cidr, source.ip))
            );
          }
          const namespaceOk =
            !peer.namespaceSelector ||
            (Object.keys(peer.namespaceSelector.matchLabels ?? {}).length === 0 &&
              (peer.namespaceSelector.matchExpressions ?? []).length === 0);
          return (
            namespaceOk && (peer.podSelector ? selects(peer.podSelector, source.labels) : true)
          );
        });
      return portOk && fromOk;
    }),
  );
  const name = (policy: ApiObject) => policy.metadata?.name ?? "(unnamed)";
  return {
    isolatedBy: isolating.map(name),
    allowedBy: allowing.map(name),
    allowed: isolating.length === 0 || allowing.length > 0,
  };
}

/**
 * The policies that restrict a pod's own egress: a refusal of its requests may then be its own
 * policies' doing, not the target's. A policy restricts egress when its policyTypes name Egress,
 * or, without policyTypes, when it has egress rules.
 */
export function egressRestrictedBy(policies: readonly ApiObject[], pod: PolicyPeer): string[] {
  return policies
    .filter((policy) =>
      policy.spec?.policyTypes
        ? policy.spec.policyTypes.includes("Egress")
        : policy.spec?.egress !== undefined,
    )
    .filter((policy) => selects(policy.spec?.podSelector ?? {}, pod.labels))
    .map((policy) => policy.metadata?.name ?? "(unnamed)");
}
