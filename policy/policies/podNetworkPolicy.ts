import {
  describeSelector,
  namespaceOf,
  policiesSelecting,
  stackNetworkPolicies,
} from "./networkPolicies";
import { formatLabels } from "./pods";
import { createdPods } from "./services";
import { StackValidationPolicy } from "./types";

/**
 * kube-score's pod-networkpolicy: every Pod (and pod template) of the stack is selected by a
 * NetworkPolicy of the stack, so none is open to every pod of the cluster by omission. A pod is
 * covered by any policy that selects it (kube-score also wants one of each direction; the lab
 * isolates ingress).
 */
export const podNetworkPolicy: StackValidationPolicy = {
  name: "pod-networkpolicy",
  description: "Every Pod of the stack is selected by a NetworkPolicy of the stack.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const policies = stackNetworkPolicies(args.resources);
    for (const pod of createdPods(args.resources)) {
      if (policiesSelecting(pod, policies).length > 0) {
        continue;
      }
      const namespace = namespaceOf(pod);
      const there = policies
        .filter((p) => p.namespace === namespace)
        .map((p) => `${p.subject} selects ${describeSelector(p.podSelector)}`);
      report(
        `${pod.pod.subject} {${formatLabels(pod.pod.labels)}} in namespace ${namespace} is selected by no NetworkPolicy of the stack, so any pod may reach it; accepted: a NetworkPolicy in ${namespace} whose podSelector matches its labels, such as a default-deny with podSelector {} (there: ${there.length > 0 ? there.join("; ") : "no NetworkPolicy"}).`,
        pod.resource.urn,
      );
    }
  },
};
