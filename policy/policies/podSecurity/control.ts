import { configOf } from "../config";
import { PodTemplate, orUnknown } from "../pods";
import { reportAdvisory } from "../report";
import { stackPods } from "../services";
import { StackValidationPolicy } from "../types";
import { Exemption, exemptionsFor, Grant, grants } from "./exemptions";
import { versionedNamespaces, VersionedNamespace } from "./namespaceVersions";
import { Profile, PROFILE_DEFAULTS, PROFILE_SCHEMA } from "./profile";
import { LATEST, resolveVersion, Version, VersionSetting } from "./version";

/** The standard's text; the framework version is the newest whose checks the pack knows. */
export const PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

/** One thing a control finds wrong with a pod. */
export interface ControlFinding {
  /** What is wrong, naming the pod or container: `Pod x, container y: securityContext.privileged is true`. */
  readonly problem: string;
  /** What the standard accepts instead. */
  readonly accepted: string;
  /** What an exemption must grant to waive it; unset when no exemption can. */
  readonly waivedBy?: Grant;
  /**
   * Set when the finding is the absence of a field: who lacks it and the field, as in
   * `DeploymentPatch web (pod template), container web` and `securityContext.allowPrivilegeEscalation`.
   * A patch that leaves the field out leaves it to the live object: an advisory, not a violation.
   */
  readonly unset?: { readonly subject: string; readonly field: string };
}

/** The Pod Security Admission check that enforces a control at one profile. */
export interface AdmissionCheck {
  /** The check's ID in pod-security-admission: `restrictedVolumes`. */
  readonly id: string;
  /** The reason its rejection names, as the API server prints it: `restricted volume types`. */
  readonly reason: string;
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
  /** The PSA check behind it at each profile it applies in. */
  readonly admission: (profile: Profile) => AdmissionCheck;
  /** The control's findings on one pod under a profile and version; none where it does not apply. */
  readonly check: (pod: PodTemplate, profile: Profile, version: Version) => ControlFinding[];
}

/** The namespace a pod lands in when it names none (the provider may choose another). */
const DEFAULT_NAMESPACE = "default";

/**
 * The version whose rules apply to a pod: its namespace's enforce-version label where the stack
 * declares that namespace with a version the pack knows, else the configured one. `latest` on a
 * namespace means the cluster's own version, which a preview cannot know: the configured version
 * stands for it. An unknown label is pod-security-version's to report.
 */
export function versionFor(
  pod: PodTemplate,
  namespaces: readonly VersionedNamespace[],
  configured: VersionSetting,
): Version {
  // A namespace a preview cannot know yet matches no label: the configured version applies.
  const name = orUnknown(() => pod.namespace ?? DEFAULT_NAMESPACE, undefined);
  const label = namespaces.find((n) => n.name === name)?.version;
  return label?.kind === "version" ? label.version : resolveVersion(configured);
}

/** The finding as the API server's rejection reads: `violates PodSecurity "restricted:v1.33": …`. */
export function admissionMessage(
  control: Control,
  profile: Profile,
  version: Version,
  finding: ControlFinding,
): string {
  const { reason } = control.admission(profile);
  return `violates PodSecurity "${profile}:${version}": ${reason} (${finding.problem}); accepted: ${finding.accepted}.`;
}

/**
 * What a patch that leaves a field out is told: the live object decides, and what Pod Security
 * Admission wants of it there.
 */
export function liveObjectMessage(
  control: Control,
  profile: Profile,
  version: Version,
  finding: ControlFinding & { readonly unset: NonNullable<ControlFinding["unset"]> },
): string {
  const { reason } = control.admission(profile);
  return `${finding.unset.subject}: the patch does not set ${finding.unset.field}, so the live object decides whether it passes PodSecurity "${profile}:${version}" (${reason}); accepted: ${finding.accepted}.`;
}

/** Whether an error is @pulumi/policy's UnknownValueError, matched by name as pods.ts does. */
function isUnknownValue(e: unknown): e is Error {
  return e instanceof Error && e.constructor.name === "UnknownValueError";
}

/**
 * The CrossGuard policy of a control: a mandatory stack policy, so that it sees the stack's
 * Namespaces and their enforce-version labels, with the profile and version in its config. A
 * finding that one of `exemptions` grants this very resource is left out here and reported, once
 * per pod, by pod-security-exemptions.
 */
export function controlPolicy(
  control: Control,
  exemptions: readonly Exemption[] = [],
): StackValidationPolicy {
  return {
    name: control.name,
    description: `Pod Security Standards, ${control.title} (${control.level}): ${control.summary}`,
    enforcementLevel: "mandatory",
    framework: {
      name: "Pod Security Standards",
      version: LATEST,
      reference: control.title,
      specification: control.level,
    },
    url: PSS_URL,
    configSchema: { properties: PROFILE_SCHEMA },
    validateStack: (args, report) => {
      const { profile, version: configured } = configOf(args, PROFILE_DEFAULTS);
      const namespaces = versionedNamespaces(args.resources);
      for (const { resource, pod } of stackPods(args.resources)) {
        const granted = exemptionsFor(resource.urn, exemptions);
        try {
          const version = versionFor(pod, namespaces, configured);
          for (const finding of control.check(pod, profile, version)) {
            const { waivedBy, unset } = finding;
            if (waivedBy !== undefined && granted.some((e) => grants(e, waivedBy))) {
              continue;
            }
            if (pod.patch && unset !== undefined) {
              const message = liveObjectMessage(control, profile, version, { ...finding, unset });
              reportAdvisory(report, message, resource.urn);
            } else {
              report(admissionMessage(control, profile, version, finding), resource.urn);
            }
          }
        } catch (e) {
          // One pod a preview cannot know yet must not stop the control for the others.
          if (!isUnknownValue(e)) {
            throw e;
          }
          reportAdvisory(
            report,
            `${pod.subject} cannot be checked until a value the preview does not know is known (${e.message}).`,
            resource.urn,
          );
        }
      }
    },
  };
}
