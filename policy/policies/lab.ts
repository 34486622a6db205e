import { namespaceDefaultDeny } from "./defaultDeny";
import { namespaceAdvisory } from "./namespaceAdvisory";
import { podSecurityExemptions } from "./podSecurity";
import { requiredLabels } from "./requiredLabels";
import { serviceTargets } from "./serviceTargets";
import { serviceType } from "./serviceType";
import { Policies } from "./types";

/**
 * The lab's own rules, on top of the general ones: its busybox exemption shown and kept to what
 * it uses, its labels, its Service (selecting a Pod of the stack, ClusterIP), its objects out of
 * `default`, and its NetworkPolicy shape (a default-deny in each namespace).
 */
export const labPolicies: Policies = [
  podSecurityExemptions,
  requiredLabels,
  serviceTargets,
  namespaceAdvisory,
  serviceType,
  namespaceDefaultDeny,
];
