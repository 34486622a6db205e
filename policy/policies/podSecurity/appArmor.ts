import { containersOf } from "../pods";
import { SecurityProfile } from "../types";
import { Control, ControlFinding } from "./control";

/** The annotation that set a container's AppArmor profile before the appArmorProfile field. */
const ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";
const ACCEPTED_TYPES = ["RuntimeDefault", "Localhost"];

function annotationAllowed(value: string): boolean {
  return value === "" || value === "runtime/default" || value.startsWith("localhost/");
}

function profileProblem(profile: SecurityProfile | undefined, at: string): ControlFinding[] {
  const type = profile?.type;
  return type === undefined || ACCEPTED_TYPES.includes(type)
    ? []
    : [{ problem: `${at} is ${type}`, accepted: "RuntimeDefault, Localhost or unset" }];
}

/**
 * AppArmor: nothing turns the runtime's default AppArmor profile off, neither the appArmorProfile
 * fields of the pod and its containers nor the older per-container annotation.
 */
export const appArmor: Control = {
  name: "pss-apparmor",
  title: "AppArmor",
  level: "baseline",
  admission: () => ({ id: "appArmorProfile", reason: "forbidden AppArmor profile" }),
  summary: "no AppArmor profile is Unconfined, by field or annotation.",
  check: (pod) => [
    ...Object.entries(pod.annotations)
      .filter(([key, value]) => key.startsWith(ANNOTATION) && !annotationAllowed(value))
      .map(([key, value]) => ({
        problem: `${pod.subject}: annotation ${key} is ${value}`,
        accepted: "runtime/default, localhost/<profile>, or no annotation",
      })),
    ...profileProblem(
      pod.spec.securityContext?.appArmorProfile,
      `${pod.subject}: spec.securityContext.appArmorProfile.type`,
    ),
    ...containersOf(pod).flatMap(({ container, subject }) =>
      profileProblem(
        container.securityContext?.appArmorProfile,
        `${subject}: securityContext.appArmorProfile.type`,
      ),
    ),
  ],
};
