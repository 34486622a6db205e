import { containersOf } from "../pods";
import { Control, ControlFinding } from "./control";
import { isWindows } from "./pod";

const ACCEPTED_TYPES = ["RuntimeDefault", "Localhost"];
const ACCEPTED = "seccompProfile.type RuntimeDefault or Localhost";

/**
 * Seccomp: baseline forbids turning the runtime's seccomp filter off (Unconfined) at pod or
 * container level; restricted also requires one to be set, by the pod or by every container.
 * PSA's restricted check replaces the baseline one and passes a Windows pod whole.
 */
export const seccomp: Control = {
  name: "pss-seccomp",
  title: "Seccomp",
  level: "baseline",
  admission: (profile) => ({
    id: profile === "restricted" ? "seccompProfile_restricted" : "seccompProfile_baseline",
    reason: "seccompProfile",
  }),
  summary:
    "baseline: no seccomp profile is Unconfined; restricted: every container runs RuntimeDefault or Localhost, set on it or on the pod.",
  check: (pod, profile) => {
    const restricted = profile === "restricted";
    if (restricted && isWindows(pod)) {
      return [];
    }
    const podType = pod.spec.securityContext?.seccompProfile?.type;
    const findings: ControlFinding[] = [];
    if (podType !== undefined && !ACCEPTED_TYPES.includes(podType)) {
      findings.push({
        problem: `${pod.subject}: spec.securityContext.seccompProfile.type is ${podType}`,
        accepted: `${ACCEPTED}, or unset with every container setting its own`,
      });
    }
    for (const { container, subject } of containersOf(pod)) {
      const type = container.securityContext?.seccompProfile?.type;
      if (type !== undefined && !ACCEPTED_TYPES.includes(type)) {
        findings.push({ problem: `${subject}: seccomp profile is ${type}`, accepted: ACCEPTED });
      } else if (type === undefined && restricted && podType === undefined) {
        // A pod-level value that is set but wrong is reported once, above, not once per container.
        findings.push({
          problem: `${subject}: seccomp profile is unset at pod and container level`,
          accepted: `${ACCEPTED} in the pod's or the container's securityContext`,
          unset: { subject, field: "seccompProfile.type (pod or container securityContext)" },
        });
      }
    }
    return findings;
  },
};
