import { imagePinned } from "./imagePinned";
import { imagePullPolicy } from "./imagePullPolicy";
import { networkPolicyTargets } from "./networkPolicyTargets";
import { podNetworkPolicy } from "./podNetworkPolicy";
import { Exemption, podSecurityPoliciesWith, podSecurityVersion } from "./podSecurity";
import { livenessProbe, readinessProbe } from "./probes";
import { readOnlyRootFilesystem } from "./readOnlyRootFilesystem";
import { containerResources } from "./resources";
import { serviceAccountToken } from "./serviceAccountToken";
import { Policies } from "./types";
import { withUrnExemptions } from "./urnExemptions";

/**
 * The rules for any Kubernetes stack, in the order a pack lists them: the reliability rules, the
 * Pod Security Standards' controls in the standard's order and the check of the stack's version
 * labels, then NetworkPolicy coverage. Each takes `exemptions` by URN in its config; `exemptions`
 * here are grants in code (one capability, root, the node's network for one container), which
 * only a pack of one's own can hold: the lab's pack passes its busybox client's.
 */
export function kubernetesPolicies(exemptions: readonly Exemption[] = []): Policies {
  return [
    imagePinned,
    imagePullPolicy,
    containerResources,
    readOnlyRootFilesystem,
    serviceAccountToken,
    readinessProbe,
    livenessProbe,
    ...podSecurityPoliciesWith(exemptions),
    podSecurityVersion,
    podNetworkPolicy,
    networkPolicyTargets,
  ].map(withUrnExemptions);
}

/** The names of the rules for any Kubernetes stack, as {@link kubernetesPolicies} lists them. */
export const KUBERNETES_POLICY_NAMES: readonly string[] = kubernetesPolicies().map((p) => p.name);
