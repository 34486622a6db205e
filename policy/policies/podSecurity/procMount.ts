import { containersOf } from "../pods";
import { Control } from "./control";
import { inUserNamespace } from "./pod";

/**
 * /proc Mount Type: every container keeps the default /proc masks. Since Kubernetes 1.35 baseline
 * allows any procMount in a pod with its own user namespace; restricted never does.
 */
export const procMount: Control = {
  name: "pss-proc-mount",
  title: "/proc Mount Type",
  level: "baseline",
  summary: "procMount is Default or unset (baseline allows others with hostUsers: false).",
  check: (pod, profile) => {
    if (profile === "baseline" && inUserNamespace(pod)) {
      return [];
    }
    return containersOf(pod)
      .filter(({ container }) => {
        const mount = container.securityContext?.procMount;
        return mount !== undefined && mount !== "Default";
      })
      .map(({ container, subject }) => ({
        problem: `${subject}: securityContext.procMount is ${container.securityContext?.procMount}`,
        accepted: "Default or unset",
      }));
  },
};
