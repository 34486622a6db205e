import { containersOf } from "../pods";
import { Control } from "./control";

/** Privileged Containers: no container runs privileged. */
export const privileged: Control = {
  name: "pss-privileged",
  title: "Privileged Containers",
  level: "baseline",
  admission: () => ({ id: "privileged", reason: "privileged" }),
  summary: "no container sets securityContext.privileged.",
  check: (pod) =>
    containersOf(pod)
      .filter(({ container }) => container.securityContext?.privileged === true)
      .map(({ subject }) => ({
        problem: `${subject}: securityContext.privileged is true`,
        accepted: "false or unset",
      })),
};
