import { imagePinned } from "./imagePinned";
import { imagePullPolicy } from "./imagePullPolicy";
import { namespaceDefaultDeny } from "./defaultDeny";
import { namespaceAdvisory } from "./namespaceAdvisory";
import { networkPolicyTargets } from "./networkPolicyTargets";
import { podNetworkPolicy } from "./podNetworkPolicy";
import { livenessProbe, readinessProbe } from "./probes";
import { podSecurityExemptions, podSecurityPolicies, podSecurityVersion } from "./podSecurity";
import { readOnlyRootFilesystem } from "./readOnlyRootFilesystem";
import { requiredLabels } from "./requiredLabels";
import { containerResources } from "./resources";
import { serviceAccountToken } from "./serviceAccountToken";
import { serviceTargets } from "./serviceTargets";
import { serviceType } from "./serviceType";
import { Policies } from "./types";

export * from "./defaultDeny";
export * from "./imagePinned";
export * from "./imagePullPolicy";
export * from "./namespaceAdvisory";
export * from "./networkPolicies";
export * from "./networkPolicyTargets";
export * from "./podNetworkPolicy";
export * from "./podSecurity";
export * from "./pods";
export * from "./probes";
export * from "./readOnlyRootFilesystem";
export * from "./requiredLabels";
export * from "./resources";
export * from "./serviceAccountToken";
export * from "./services";
export * from "./serviceTargets";
export * from "./serviceType";
export * from "./types";

/**
 * Every policy of the pack, in the order the pack lists them: the reliability rules, the Pod
 * Security Standards' controls in the standard's order, the report of their exemptions and the
 * check of the stack's version labels, then labels, the Services, the NetworkPolicies and the
 * three advisories.
 */
export const policies: Policies = [
  imagePinned,
  imagePullPolicy,
  containerResources,
  readOnlyRootFilesystem,
  serviceAccountToken,
  readinessProbe,
  livenessProbe,
  ...podSecurityPolicies,
  podSecurityExemptions,
  podSecurityVersion,
  requiredLabels,
  serviceTargets,
  podNetworkPolicy,
  networkPolicyTargets,
  namespaceAdvisory,
  serviceType,
  namespaceDefaultDeny,
];
