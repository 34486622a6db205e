import { Control } from "./control";

const FIELDS = ["hostNetwork", "hostPID", "hostIPC"] as const;

/** Host Namespaces: the pod shares none of the node's network, process or IPC namespaces. */
export const hostNamespaces: Control = {
  name: "pss-host-namespaces",
  title: "Host Namespaces",
  level: "baseline",
  admission: () => ({ id: "hostNamespaces", reason: "host namespaces" }),
  summary: "hostNetwork, hostPID and hostIPC are false or unset.",
  check: (pod) =>
    FIELDS.filter((field) => pod.spec[field] === true).map((field) => ({
      problem: `${pod.subject}: spec.${field} is true`,
      accepted: "false or unset",
      // Only the node's network can be granted (the mesh's node probes); never its PIDs or IPC.
      ...(field === "hostNetwork" ? { waivedBy: { kind: "host-network" } as const } : {}),
    })),
};
