import { kindOf, objectName } from "./pods";
import { isDefaultDenyIngress, namespaceOf, stackNetworkPolicies } from "./networkPolicies";
import { createdPods } from "./services";
import { StackValidationPolicy } from "./types";

/**
 * Advisory: each namespace the stack's pods run in has a default-deny ingress NetworkPolicy of the
 * stack (podSelector {}, policyTypes [Ingress], no ingress rule), so a pod added later without a
 * policy of its own is closed, not open. Reported on the stack's Namespace where it declares one.
 */
export const namespaceDefaultDeny: StackValidationPolicy = {
  name: "namespace-default-deny",
  description:
    "Every namespace of the stack's pods has a default-deny ingress NetworkPolicy of the stack.",
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    const policies = stackNetworkPolicies(args.resources);
    const namespaces = [...new Set(createdPods(args.resources).map(namespaceOf))];
    for (const namespace of namespaces) {
      if (policies.some((p) => p.namespace === namespace && isDefaultDenyIngress(p))) {
        continue;
      }
      const declared = args.resources.find(
        (r) => kindOf(r.type) === "Namespace" && objectName(r) === namespace,
      );
      report(
        `Namespace ${namespace} has no default-deny ingress NetworkPolicy of the stack, so a pod added there without a policy of its own accepts traffic from any pod; accepted: a NetworkPolicy in ${namespace} with podSelector {}, policyTypes [Ingress] and no ingress rule.`,
        declared?.urn,
      );
    }
  },
};
