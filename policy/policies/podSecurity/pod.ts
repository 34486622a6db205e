import { PodTemplate } from "../pods";

/**
 * A pod whose spec.os.name is windows: the standard exempts it from the restricted profile's
 * Linux-only controls (privilege escalation, seccomp, capabilities).
 */
export function isWindows(pod: PodTemplate): boolean {
  return pod.spec.os?.name === "windows";
}

/**
 * A pod with hostUsers: false runs in a user namespace, where uid 0 is not root on the node; from
 * v1.35 the standard relaxes the controls about running as root (and baseline's /proc mount) for it.
 */
export function inUserNamespace(pod: PodTemplate): boolean {
  return pod.spec.hostUsers === false;
}

/** A container's name as a finding's grant names it; the API requires one, a test may not. */
export function containerName(container: { readonly name?: string }): string {
  return container.name ?? "";
}
