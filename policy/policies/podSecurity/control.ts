import { configOf } from "../config";
import { PodTemplate, validatePods } from "../pods";
import { ResourceValidationPolicy } from "../types";
import { exemptionsFor, Grant, grants } from "./exemptions";
import { Profile, PROFILE_DEFAULTS, PROFILE_SCHEMA } from "./profile";

/** The standard's text, and the Pod Security Admission version whose checks these follow. */
export const PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
const PSS_VERSION = "v1.35";

/** One thing a control finds wrong with a pod. */
export interface ControlFinding {
  /** What is wrong, naming the pod or container: `Pod x, container y: securityContext.privileged is true`. */
  readonly problem: string;
  /** What the standard accepts instead. */
  readonly accepted: string;
  /** What an exemption must grant to waive it; unset when no exemption can. */
  readonly waivedBy?: Grant;
}

/** One control of the Pod Security Standards. */
export interface Control {
  /** The policy's name: `pss-<control>`. */
  readonly name: string;
  /** The control as the standard names it: "Running as Non-root". */
  readonly title: string;
  /** The lowest profile that enforces it. */
  readonly level: Profile;
  /** What it requires, in one sentence. */
  readonly summary: string;
  /** The control's findings on one pod under a profile; none where the control does not apply. */
  readonly check: (pod: PodTemplate, profile: Profile) => ControlFinding[];
}

/**
 * The CrossGuard policy of a control: mandatory, with the profile in its config. A finding that an
 * exemption of this very resource grants is left out here and reported, once per pod, by
 * pod-security-exemptions.
 */
export function controlPolicy(control: Control): ResourceValidationPolicy {
  return {
    name: control.name,
    description: `Pod Security Standards, ${control.title} (${control.level}): ${control.summary}`,
    enforcementLevel: "mandatory",
    framework: {
      name: "Pod Security Standards",
      version: PSS_VERSION,
      reference: control.title,
      specification: control.level,
    },
    url: PSS_URL,
    configSchema: { properties: { profile: PROFILE_SCHEMA } },
    validateResource: validatePods((pod, args, report) => {
      const { profile } = configOf(args, PROFILE_DEFAULTS);
      const exemptions = exemptionsFor(args.urn);
      for (const { problem, accepted, waivedBy } of control.check(pod, profile)) {
        if (waivedBy === undefined || !exemptions.some((e) => grants(e, waivedBy))) {
          report(`${problem}; accepted: ${accepted}.`);
        }
      }
    }),
  };
}
