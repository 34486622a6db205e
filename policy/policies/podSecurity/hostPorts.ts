import { containersOf } from "../pods";
import { Control } from "./control";

/**
 * Host Ports: no container port is bound to a port of the node. A pod on the node's network gets
 * every declared port as a host port from Kubernetes' defaulting (a Pod's, and so each Pod a
 * workload creates), which Pod Security Admission then sees: so does this control.
 */
export const hostPorts: Control = {
  name: "pss-host-ports",
  title: "Host Ports",
  level: "baseline",
  admission: () => ({ id: "hostPorts", reason: "hostPort" }),
  summary: "no container port sets a hostPort, nor gets one from hostNetwork.",
  check: (pod) => {
    const hostNetwork = pod.spec.hostNetwork === true;
    return containersOf(pod).flatMap(({ container, subject }) =>
      (container.ports ?? []).flatMap((port) => {
        if (port.hostPort !== undefined && port.hostPort !== 0) {
          return [
            {
              problem: `${subject}: port ${port.containerPort} is bound to hostPort ${port.hostPort}`,
              accepted: "no hostPort (reach the pod through a Service)",
            },
          ];
        }
        return hostNetwork
          ? [
              {
                problem: `${subject}: port ${port.containerPort} is bound to hostPort ${port.containerPort} (hostNetwork defaults it)`,
                accepted: "no hostNetwork, which makes every container port a host port",
              },
            ]
          : [];
      }),
    );
  },
};
