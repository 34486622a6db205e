import { PolicyConfigSchema } from "../types";
import { VERSION_SETTINGS, VersionSetting } from "./version";

/**
 * The Pod Security Standards profiles the pack can enforce. The third, privileged, is the absence
 * of restrictions: a stack that wants it disables the pss-* policies instead.
 */
export type Profile = "baseline" | "restricted";

/** Config of every pss-* policy, as Pod Security Admission's `enforce` labels are per namespace. */
export interface ProfileConfig {
  /** The profile whose rule the control applies. */
  readonly profile: Profile;
  /**
   * The Pod Security Admission version whose rules apply, where the stack's own Namespace does not
   * pin one with the pod-security.kubernetes.io/enforce-version label.
   */
  readonly version: VersionSetting;
}

/**
 * restricted, as the pack's description promises; baseline is a config change away.
 *
 * v1.34, the strictest of the versions the pack knows: v1.34 has every check v1.33 has (and the
 * host probe check), and none of the user-namespace relaxations of v1.35. So a pod it passes is
 * admitted by a 1.33, a 1.34 and a 1.35 API server alike, each enforcing its own version as PSA does
 * by default (no version label). On a 1.33 k3s VM the only pods it refuses that the cluster would
 * take set a host in a probe or lifecycle hook (which the cluster's next minor refuses too); on
 * 1.35 only user-namespace pods (hostUsers: false) that run as root or unmask /proc under
 * baseline: set version v1.35, or label the namespace, to have those.
 */
export const PROFILE_DEFAULTS: ProfileConfig = { profile: "restricted", version: "v1.34" };

/** The config schema of the profile and version settings, shared by every pss-* policy. */
export const PROFILE_SCHEMA: PolicyConfigSchema["properties"] = {
  profile: {
    type: "string",
    enum: ["baseline", "restricted"],
    description:
      "The Pod Security Standards profile to apply, as Pod Security Admission's enforce level: baseline or restricted.",
    default: PROFILE_DEFAULTS.profile,
  },
  version: {
    type: "string",
    enum: [...VERSION_SETTINGS],
    description:
      "The Pod Security Admission version whose rules apply, in its syntax (latest is the newest the pack knows); a Namespace of the stack labelled pod-security.kubernetes.io/enforce-version overrides it for its pods.",
    default: PROFILE_DEFAULTS.version,
  },
};
