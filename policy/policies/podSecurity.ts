import { containersOf, validatePods } from "./pods";
import { ResourceValidationPolicy } from "./types";

/** Seccomp profile types the restricted Pod Security Standard accepts. */
const SECCOMP_ACCEPTED = ["RuntimeDefault", "Localhost"];

const HOST_NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"] as const;

/**
 * The Pod Security Standards' baseline (no privileged containers, host namespaces, hostPath volumes
 * or host ports) plus restricted's allowPrivilegeEscalation=false and seccomp RuntimeDefault.
 * Capabilities have a policy of their own, {@link containerCapabilities}, with an allow-list.
 */
export const podSecurity: ResourceValidationPolicy = {
  name: "pod-security",
  description:
    "Pods run unprivileged: no privileged containers, host namespaces, hostPath volumes or host ports; allowPrivilegeEscalation false; seccomp RuntimeDefault.",
  enforcementLevel: "mandatory",
  validateResource: validatePods((pod, _args, report) => {
    for (const field of HOST_NAMESPACES) {
      if (pod.spec[field] === true) {
        report(`${pod.subject}: spec.${field} is true; accepted: false or unset.`);
      }
    }
    for (const volume of pod.spec.volumes ?? []) {
      if (volume.hostPath !== undefined) {
        report(
          `${pod.subject}: volume ${volume.name} is a hostPath (${volume.hostPath.path}); accepted: volumes that are not on the node, such as emptyDir, configMap, secret or persistentVolumeClaim.`,
        );
      }
    }
    const podSeccomp = pod.spec.securityContext?.seccompProfile?.type;
    for (const { container, subject } of containersOf(pod)) {
      const context = container.securityContext;
      if (context?.privileged === true) {
        report(`${subject}: securityContext.privileged is true; accepted: false or unset.`);
      }
      for (const port of container.ports ?? []) {
        if (port.hostPort !== undefined && port.hostPort !== 0) {
          report(
            `${subject}: port ${port.containerPort} is bound to hostPort ${port.hostPort}; accepted: no hostPort (reach the pod through a Service).`,
          );
        }
      }
      if (context?.allowPrivilegeEscalation !== false) {
        report(
          `${subject}: securityContext.allowPrivilegeEscalation is ${context?.allowPrivilegeEscalation === true ? "true" : "unset (which allows it)"}; accepted: false.`,
        );
      }
      const seccomp = context?.seccompProfile?.type ?? podSeccomp;
      if (seccomp === undefined || !SECCOMP_ACCEPTED.includes(seccomp)) {
        report(
          `${subject}: seccomp profile is ${seccomp ?? "unset at pod and container level"}; accepted: seccompProfile.type RuntimeDefault (or Localhost) in the pod's or the container's securityContext.`,
        );
      }
    }
  }),
};
