import { containersOf } from "../pods";
import { Control } from "./control";
import { inUserNamespace } from "./pod";
import { atLeast } from "./version";

/**
 * /proc Mount Type: every container keeps the default /proc masks. From v1.35 baseline allows any
 * procMount in a pod with its own user namespace (restricted, through PSA's procMount_restricted
 * check, never does); before, PSA grants that only behind an alpha feature gate, off by default.
 */
export const procMount: Control = {
  name: "pss-proc-mount",
  title: "/proc Mount Type",
  level: "baseline",
  admission: (profile) => ({
    id: profile === "restricted" ? "procMount_restricted" : "procMount",
    reason: "procMount",
  }),
  summary:
    "procMount is Default or unset (from v1.35 baseline allows others with hostUsers: false).",
  check: (pod, profile, version) => {
    if (profile === "baseline" && atLeast(version, "v1.35") && inUserNamespace(pod)) {
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
