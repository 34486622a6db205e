import { PolicyConfigSchema } from "../types";

/**
 * The Pod Security Standards profiles the pack can enforce. The third, privileged, is the absence
 * of restrictions: a stack that wants it disables the pss-* policies instead.
 */
export type Profile = "baseline" | "restricted";

/** Config of every pss-* policy, as Pod Security Admission's `enforce` level is per namespace. */
export interface ProfileConfig {
  /** The profile whose rule the control applies. */
  readonly profile: Profile;
}

/** restricted, as the pack's description promises; baseline is a config change away. */
export const PROFILE_DEFAULTS: ProfileConfig = { profile: "restricted" };

/** The config schema of the profile setting, shared by every pss-* policy. */
export const PROFILE_SCHEMA: PolicyConfigSchema["properties"][string] = {
  type: "string",
  enum: ["baseline", "restricted"],
  description:
    "The Pod Security Standards profile to apply, as Pod Security Admission's enforce level: baseline or restricted.",
  default: PROFILE_DEFAULTS.profile,
};
