import { containersOf } from "../pods";
import { Container, LifecycleHandler, Probe } from "../types";
import { Control, ControlFinding } from "./control";
import { atLeast } from "./version";

const ACCEPTED = "no host (the probe or hook then reaches the pod's own IP)";

/** Where a container can name a host: its three probes and its two lifecycle hooks. */
function handlers(c: Container): [string, Probe | LifecycleHandler | undefined][] {
  return [
    ["livenessProbe", c.livenessProbe],
    ["readinessProbe", c.readinessProbe],
    ["startupProbe", c.startupProbe],
    ["lifecycle.postStart", c.lifecycle?.postStart],
    ["lifecycle.preStop", c.lifecycle?.preStop],
  ];
}

/**
 * Host Probes / Lifecycle Hooks (v1.34+): no probe or lifecycle hook of a container sends its
 * HTTP GET or TCP connect to a host of its choosing, which would let the kubelet, from the node,
 * reach any address for the pod. Before v1.34 Pod Security Admission has no such check.
 */
export const hostProbes: Control = {
  name: "pss-host-probes",
  title: "Host Probes / Lifecycle Hooks",
  level: "baseline",
  admission: () => ({ id: "hostProbesAndHostLifecycle", reason: "probe or lifecycle host" }),
  summary: "from v1.34, no probe or lifecycle hook sets httpGet.host or tcpSocket.host.",
  check: (pod, _profile, version) => {
    if (!atLeast(version, "v1.34")) {
      return [];
    }
    const findings: ControlFinding[] = [];
    for (const { container, subject } of containersOf(pod)) {
      for (const [field, handler] of handlers(container)) {
        for (const action of ["httpGet", "tcpSocket"] as const) {
          const host = handler?.[action]?.host;
          if (host !== undefined && host !== "") {
            findings.push({
              problem: `${subject}: ${field}.${action}.host is ${host}`,
              accepted: ACCEPTED,
            });
          }
        }
      }
    }
    return findings;
  },
};
