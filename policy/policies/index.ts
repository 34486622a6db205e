import { kubernetesPolicies } from "./kubernetes";
import { labPolicies } from "./lab";
import { LAB_EXEMPTIONS } from "./podSecurity";
import { Policies } from "./types";

export * from "./defaultDeny";
export * from "./imagePinned";
export * from "./imagePullPolicy";
export * from "./kubernetes";
export * from "./lab";
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
export * from "./urnExemptions";

/**
 * Every policy of the lab's pack, in the order the pack lists them: the rules for any Kubernetes
 * stack (with the lab's exemptions granted in code), then the lab's own.
 */
export const policies: Policies = [...kubernetesPolicies(LAB_EXEMPTIONS), ...labPolicies];
