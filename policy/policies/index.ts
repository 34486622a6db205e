import { containerCapabilities } from "./capabilities";
import { imagePinned } from "./imagePinned";
import { namespaceAdvisory } from "./namespaceAdvisory";
import { podSecurity } from "./podSecurity";
import { readinessProbe } from "./readinessProbe";
import { requiredLabels } from "./requiredLabels";
import { containerResources } from "./resources";
import { serviceTargets } from "./serviceTargets";
import { serviceType } from "./serviceType";
import { Policies } from "./types";

export * from "./capabilities";
export * from "./imagePinned";
export * from "./namespaceAdvisory";
export * from "./podSecurity";
export * from "./pods";
export * from "./readinessProbe";
export * from "./requiredLabels";
export * from "./resources";
export * from "./serviceTargets";
export * from "./serviceType";
export * from "./types";

/** Every policy of the pack, in the order the pack lists them. */
export const policies: Policies = [
  imagePinned,
  containerResources,
  readinessProbe,
  podSecurity,
  containerCapabilities,
  requiredLabels,
  serviceTargets,
  namespaceAdvisory,
  serviceType,
];
