import { containersOf, validatePods } from "./pods";
import { ContainerPort, ResourceValidationPolicy } from "./types";

function describePorts(ports: readonly ContainerPort[]): string {
  return ports
    .map((p) => (p.name ? `${p.name} (${p.containerPort})` : `${p.containerPort}`))
    .join(", ");
}

/**
 * A container that serves a port has a readiness probe, so a Service sends it traffic only once it
 * answers; a probe that names a port must name one the container declares.
 */
export const readinessProbe: ResourceValidationPolicy = {
  name: "readiness-probe",
  description: "Every container that declares a port has a readiness probe.",
  enforcementLevel: "mandatory",
  validateResource: validatePods((pod, _args, report) => {
    for (const { container, subject } of containersOf(pod, ["container"])) {
      const ports = container.ports ?? [];
      if (ports.length === 0) {
        continue;
      }
      const probe = container.readinessProbe;
      if (probe === undefined) {
        const [first] = ports;
        report(
          `${subject} declares port ${describePorts(ports)} but has no readinessProbe; accepted: a readinessProbe with httpGet, tcpSocket, grpc or exec, e.g. httpGet {path: "/", port: ${JSON.stringify(first.name ?? first.containerPort)}}.`,
        );
        continue;
      }
      const named = probe.httpGet?.port ?? probe.tcpSocket?.port;
      if (typeof named === "string" && !ports.some((p) => p.name === named)) {
        report(
          `${subject}: readinessProbe targets port "${named}", which the container does not declare; accepted: one of ${describePorts(ports)}.`,
        );
      }
    }
  }),
};
