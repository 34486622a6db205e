import { controlPolicy } from "./control";
import { podSecurityControls } from "./controls";

export { BASELINE_CAPABILITIES, RESTRICTED_CAPABILITIES } from "./capabilities";
export * from "./control";
export * from "./controls";
export * from "./exemptionReport";
export * from "./exemptions";
export * from "./namespaceVersions";
export * from "./profile";
export * from "./version";
export * from "./versionPolicy";
export { RESTRICTED_VOLUME_TYPES } from "./volumeTypes";
export { SAFE_SYSCTLS } from "./sysctls";

/** The pss-* policies, one per control. */
export const podSecurityPolicies = podSecurityControls.map(controlPolicy);
