import { containersOf } from "../pods";
import { Control, ControlFinding } from "./control";
import { containerName, inUserNamespace } from "./pod";
import { atLeast } from "./version";

const ACCEPTED = "runAsNonRoot: true in the pod's securityContext, or in the container's";

/**
 * Running as Non-root: every container must be refused by the kubelet if its user is root, through
 * runAsNonRoot: true on the container or on the pod (a container may not turn it off).
 */
export const runAsNonRoot: Control = {
  name: "pss-run-as-non-root",
  title: "Running as Non-root",
  level: "restricted",
  admission: () => ({ id: "runAsNonRoot", reason: "runAsNonRoot != true" }),
  summary:
    "runAsNonRoot is true for every container, set on it or on the pod (from v1.35 any value with hostUsers: false).",
  check: (pod, profile, version) => {
    // A user namespace's root is not the node's: v1.35 waives the control for it, v1.33 and v1.34
    // only behind an alpha feature gate, off by default.
    if (profile !== "restricted" || (atLeast(version, "v1.35") && inUserNamespace(pod))) {
      return [];
    }
    const podValue = pod.spec.securityContext?.runAsNonRoot;
    const findings: ControlFinding[] = [];
    if (podValue === false) {
      findings.push({
        problem: `${pod.subject}: spec.securityContext.runAsNonRoot is false`,
        accepted: "true",
      });
    }
    for (const { container, subject } of containersOf(pod)) {
      const value = container.securityContext?.runAsNonRoot;
      const waivedBy = { kind: "run-as-root", container: containerName(container) } as const;
      if (value === false) {
        findings.push({
          problem: `${subject}: securityContext.runAsNonRoot is false`,
          accepted: ACCEPTED,
          waivedBy,
        });
      } else if (value === undefined && podValue === undefined) {
        // A pod-level false is reported once, above, not again for each container it reaches.
        findings.push({
          problem: `${subject}: runAsNonRoot is unset at pod and container level, so it may run as root`,
          accepted: ACCEPTED,
          waivedBy,
          unset: { subject, field: "runAsNonRoot (pod or container securityContext)" },
        });
      }
    }
    return findings;
  },
};
