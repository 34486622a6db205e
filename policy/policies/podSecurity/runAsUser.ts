import { containersOf } from "../pods";
import { Control, ControlFinding } from "./control";
import { containerName, inUserNamespace } from "./pod";
import { atLeast } from "./version";

const ACCEPTED = "a non-zero runAsUser, or none (then the image's user, which runAsNonRoot checks)";

/** Running as Non-root user: no container is told to run as uid 0, on it or on the pod. */
export const runAsUser: Control = {
  name: "pss-run-as-user",
  title: "Running as Non-root user",
  level: "restricted",
  admission: () => ({ id: "runAsUser", reason: "runAsUser=0" }),
  summary:
    "runAsUser is not 0, on the pod or any container (from v1.35 any value with hostUsers: false).",
  check: (pod, profile, version) => {
    // A user namespace's root is not the node's: v1.35 waives the control for it, v1.33 and v1.34
    // only behind an alpha feature gate, off by default.
    if (profile !== "restricted" || (atLeast(version, "v1.35") && inUserNamespace(pod))) {
      return [];
    }
    const findings: ControlFinding[] = [];
    if (pod.spec.securityContext?.runAsUser === 0) {
      findings.push({
        problem: `${pod.subject}: spec.securityContext.runAsUser is 0`,
        accepted: ACCEPTED,
      });
    }
    for (const { container, subject } of containersOf(pod)) {
      if (container.securityContext?.runAsUser === 0) {
        findings.push({
          problem: `${subject}: securityContext.runAsUser is 0`,
          accepted: ACCEPTED,
          waivedBy: { kind: "run-as-root", container: containerName(container) },
        });
      }
    }
    return findings;
  },
};
