import { containersOf } from "../pods";
import { Control, ControlFinding } from "./control";

const ACCEPTED = "false or unset (a HostProcess container runs as a process of the Windows node)";

/** HostProcess: no Windows HostProcess container, set for the pod or for one container. */
export const hostProcess: Control = {
  name: "pss-host-process",
  title: "HostProcess",
  level: "baseline",
  admission: () => ({ id: "windowsHostProcess", reason: "hostProcess" }),
  summary: "no Windows HostProcess containers, for the pod or any container.",
  check: (pod) => {
    const findings: ControlFinding[] = [];
    if (pod.spec.securityContext?.windowsOptions?.hostProcess === true) {
      findings.push({
        problem: `${pod.subject}: spec.securityContext.windowsOptions.hostProcess is true`,
        accepted: ACCEPTED,
      });
    }
    for (const { container, subject } of containersOf(pod)) {
      if (container.securityContext?.windowsOptions?.hostProcess === true) {
        findings.push({
          problem: `${subject}: securityContext.windowsOptions.hostProcess is true`,
          accepted: ACCEPTED,
        });
      }
    }
    return findings;
  },
};
