import {
  describeSelector,
  podsSelectedBy,
  stackNetworkPolicies,
  namespaceOf,
} from "./networkPolicies";
import { formatLabels } from "./pods";
import { createdPods } from "./services";
import { StackValidationPolicy } from "./types";

/**
 * kube-score's networkpolicy-targets-pod: every NetworkPolicy of the stack selects at least one Pod
 * of the stack, so none is a rule that protects nothing (a typo in a label, a namespace that moved).
 */
export const networkPolicyTargets: StackValidationPolicy = {
  name: "networkpolicy-targets-pod",
  description: "Every NetworkPolicy of the stack selects a Pod of the stack.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const pods = createdPods(args.resources);
    for (const policy of stackNetworkPolicies(args.resources)) {
      if (podsSelectedBy(policy, pods).length > 0) {
        continue;
      }
      const candidates = pods
        .filter((pod) => namespaceOf(pod) === policy.namespace)
        .map(({ pod }) => `${pod.subject} {${formatLabels(pod.labels)}}`);
      report(
        `${policy.subject} selects ${describeSelector(policy.podSelector)} in namespace ${policy.namespace}, which no Pod of the stack matches; accepted: a podSelector that matches a Pod in the same namespace (there: ${candidates.length > 0 ? candidates.join("; ") : "no Pods"}).`,
        policy.resource.urn,
      );
    }
  },
};
