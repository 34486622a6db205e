import { Control } from "./control";

/**
 * The sysctls the standard calls safe: namespaced, and isolated from other pods. The list grew
 * with Kubernetes: ip_local_reserved_ports in 1.27, the tcp_keepalive and tcp_fin_timeout ones in
 * 1.29, tcp_rmem and tcp_wmem in 1.32.
 */
export const SAFE_SYSCTLS: readonly string[] = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
];

/** Sysctls: the pod sets only safe sysctls. */
export const sysctls: Control = {
  name: "pss-sysctls",
  title: "Sysctls",
  level: "baseline",
  admission: () => ({ id: "sysctls", reason: "forbidden sysctls" }),
  summary: "the pod sets only the safe sysctls.",
  check: (pod) =>
    (pod.spec.securityContext?.sysctls ?? [])
      .filter((sysctl) => sysctl.name === undefined || !SAFE_SYSCTLS.includes(sysctl.name))
      .map((sysctl) => ({
        problem: `${pod.subject}: sysctl ${sysctl.name} is not one of the safe set`,
        accepted: `only ${SAFE_SYSCTLS.join(", ")}`,
      })),
};
