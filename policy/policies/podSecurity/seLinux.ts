import { containersOf } from "../pods";
import { SELinuxOptions } from "../types";
import { Control, ControlFinding } from "./control";

/** The container types the standard allows; container_engine_t since Kubernetes 1.31. */
const ALLOWED_TYPES = [
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
];

function problems(options: SELinuxOptions | undefined, at: string): ControlFinding[] {
  const findings: ControlFinding[] = [];
  if (options?.type !== undefined && !ALLOWED_TYPES.includes(options.type)) {
    findings.push({
      problem: `${at}.type is ${options.type}`,
      accepted: `unset, or one of ${ALLOWED_TYPES.filter((t) => t !== "").join(", ")}`,
    });
  }
  for (const field of ["user", "role"] as const) {
    const value = options?.[field];
    if (value !== undefined && value !== "") {
      findings.push({ problem: `${at}.${field} is ${value}`, accepted: "unset" });
    }
  }
  return findings;
}

/** SELinux: no custom SELinux user or role, and only the container types, for pod and containers. */
export const seLinux: Control = {
  name: "pss-selinux",
  title: "SELinux",
  level: "baseline",
  admission: () => ({ id: "seLinuxOptions", reason: "seLinuxOptions" }),
  summary: "seLinuxOptions set no user or role, and only a container type.",
  check: (pod) => [
    ...problems(
      pod.spec.securityContext?.seLinuxOptions,
      `${pod.subject}: spec.securityContext.seLinuxOptions`,
    ),
    ...containersOf(pod).flatMap(({ container, subject }) =>
      problems(
        container.securityContext?.seLinuxOptions,
        `${subject}: securityContext.seLinuxOptions`,
      ),
    ),
  ],
};
