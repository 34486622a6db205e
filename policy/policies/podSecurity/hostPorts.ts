import { containersOf } from "../pods";
import { Control } from "./control";

/** Host Ports: no container port is bound to a port of the node. */
export const hostPorts: Control = {
  name: "pss-host-ports",
  title: "Host Ports",
  level: "baseline",
  summary: "no container port sets a hostPort.",
  check: (pod) =>
    containersOf(pod).flatMap(({ container, subject }) =>
      (container.ports ?? [])
        .filter((port) => port.hostPort !== undefined && port.hostPort !== 0)
        .map((port) => ({
          problem: `${subject}: port ${port.containerPort} is bound to hostPort ${port.hostPort}`,
          accepted: "no hostPort (reach the pod through a Service)",
        })),
    ),
};
