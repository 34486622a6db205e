import { containersOf } from "../pods";
import { Control } from "./control";
import { isWindows } from "./pod";

/** Privilege Escalation: no process of a container can gain more privileges than its parent. */
export const privilegeEscalation: Control = {
  name: "pss-privilege-escalation",
  title: "Privilege Escalation",
  level: "restricted",
  admission: () => ({
    id: "allowPrivilegeEscalation",
    reason: "allowPrivilegeEscalation != false",
  }),
  summary: "every container sets allowPrivilegeEscalation: false.",
  check: (pod, profile) => {
    // The standard exempts Windows pods: no_new_privs is Linux's.
    if (profile !== "restricted" || isWindows(pod)) {
      return [];
    }
    return containersOf(pod)
      .filter(({ container }) => container.securityContext?.allowPrivilegeEscalation !== false)
      .map(({ container, subject }) => {
        const value = container.securityContext?.allowPrivilegeEscalation;
        return {
          problem: `${subject}: securityContext.allowPrivilegeEscalation is ${value === true ? "true" : "unset (which allows it)"}`,
          accepted: "false",
          ...(value === undefined
            ? { unset: { subject, field: "securityContext.allowPrivilegeEscalation" } }
            : {}),
        };
      });
  },
};
