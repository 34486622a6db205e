import { containersOf } from "../pods";
import { Control, ControlFinding } from "./control";
import { containerName, isWindows } from "./pod";

/** What baseline lets a container add: the container runtimes' default set. */
export const BASELINE_CAPABILITIES: readonly string[] = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];

/** What restricted lets a container add back after dropping ALL. */
export const RESTRICTED_CAPABILITIES: readonly string[] = ["NET_BIND_SERVICE"];

function describe(list: readonly string[] | undefined): string {
  return list !== undefined && list.length > 0 ? `[${list.join(", ")}]` : "unset";
}

/**
 * Capabilities: baseline lets a container add only the runtimes' defaults; restricted makes it
 * drop ALL and add back at most NET_BIND_SERVICE. Names are compared as written, as Pod Security
 * Admission does: `CAP_SYS_ADMIN` is no more allowed than `SYS_ADMIN`. Under restricted PSA runs
 * its restricted check in place of the baseline one, and that check passes a Windows pod whole
 * (Linux capabilities mean nothing there), so restricted asks nothing of a Windows pod.
 */
export const capabilities: Control = {
  name: "pss-capabilities",
  title: "Capabilities",
  level: "baseline",
  admission: (profile) =>
    profile === "restricted"
      ? { id: "capabilities_restricted", reason: "unrestricted capabilities" }
      : { id: "capabilities_baseline", reason: "non-default capabilities" },
  summary:
    "baseline: containers add only the default capabilities; restricted: they drop ALL and add only NET_BIND_SERVICE.",
  check: (pod, profile) => {
    const restricted = profile === "restricted";
    if (restricted && isWindows(pod)) {
      return [];
    }
    const allowed = restricted ? RESTRICTED_CAPABILITIES : BASELINE_CAPABILITIES;
    const acceptedAdds = restricted
      ? "no added capability but NET_BIND_SERVICE (restricted)"
      : `only the baseline's ${BASELINE_CAPABILITIES.join(", ")}`;
    const findings: ControlFinding[] = [];
    for (const { container, subject } of containersOf(pod)) {
      const { add, drop } = container.securityContext?.capabilities ?? {};
      if (restricted && !(drop ?? []).includes("ALL")) {
        findings.push({
          problem: `${subject}: capabilities.drop is ${describe(drop)}`,
          accepted: 'a drop list with "ALL" (restricted)',
          ...(drop === undefined
            ? { unset: { subject, field: "securityContext.capabilities.drop" } }
            : {}),
        });
      }
      for (const capability of add ?? []) {
        if (!allowed.includes(capability)) {
          findings.push({
            problem: `${subject} adds capability ${capability}`,
            accepted: acceptedAdds,
            waivedBy: { kind: "add-capability", container: containerName(container), capability },
          });
        }
      }
    }
    return findings;
  },
};
