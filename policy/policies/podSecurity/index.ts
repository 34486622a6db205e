import { controlPolicy } from "./control";
import { podSecurityControls } from "./controls";
import { Exemption, LAB_EXEMPTIONS } from "./exemptions";

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

/** The pss-* policies, one per control, waiving what the exemptions grant (by default none). */
export function podSecurityPoliciesWith(exemptions: readonly Exemption[] = []) {
  return podSecurityControls.map((control) => controlPolicy(control, exemptions));
}

/** The lab's pss-* policies: one per control, with the lab's exemptions. */
export const podSecurityPolicies = podSecurityPoliciesWith(LAB_EXEMPTIONS);
