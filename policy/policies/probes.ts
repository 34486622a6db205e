import { ContainerEntry, containersOf } from "./pods";
import {
  selectedPods,
  selectingServices,
  servingContainers,
  StackPod,
  createdPods,
  targetOf,
} from "./services";
import { ContainerPort, PolicyResource, StackValidationPolicy } from "./types";

/** A container some Service sends traffic to, and through which Service ports. */
interface Served {
  readonly stackPod: StackPod;
  readonly entry: ContainerEntry;
  /** The first port it serves, for the example in a message. */
  readonly target: number | string;
  /** `Service nginx-service port http`, one per Service port. */
  readonly via: string[];
}

/** Every container of the stack that a Service sends traffic to. */
function servedContainers(resources: readonly PolicyResource[]): Served[] {
  const pods = createdPods(resources);
  const served = new Map<string, Served>();
  for (const service of selectingServices(resources)) {
    for (const stackPod of selectedPods(service, pods)) {
      for (const port of service.ports) {
        const target = targetOf(port);
        if (target === undefined) {
          continue;
        }
        for (const entry of servingContainers(stackPod.pod, target)) {
          const key = `${stackPod.resource.urn} ${entry.subject}`;
          const seen = served.get(key) ?? { stackPod, entry, target, via: [] };
          seen.via.push(`${service.subject} port ${port.name ?? port.port}`);
          served.set(key, seen);
        }
      }
    }
  }
  return [...served.values()];
}

function describePorts(ports: readonly ContainerPort[]): string {
  return ports
    .map((p) => (p.name ? `${p.name} (${p.containerPort})` : `${p.containerPort}`))
    .join(", ");
}

/** One kind of probe, and what the policy requiring it says. */
interface ProbeKind {
  readonly field: "readinessProbe" | "livenessProbe";
  readonly name: string;
  readonly description: string;
  /** A probe to suggest, on the port the container serves. */
  readonly example: (port: string) => string;
}

function probePolicy(kind: ProbeKind): StackValidationPolicy {
  return {
    name: kind.name,
    description: kind.description,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
      for (const { stackPod, entry, target, via } of servedContainers(args.resources)) {
        if (entry.container[kind.field] === undefined) {
          report(
            `${entry.subject} receives traffic from ${via.join(", ")} but has no ${kind.field}; accepted: a ${kind.field} with httpGet, tcpSocket, grpc or exec, e.g. ${kind.example(JSON.stringify(target))}.`,
            stackPod.resource.urn,
          );
        }
      }
      // A probe on a port name the container lacks fails forever, served or not.
      for (const { resource, pod } of createdPods(args.resources)) {
        for (const { container, subject } of containersOf(pod, ["container", "init container"])) {
          const probe = container[kind.field];
          const named = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
          const ports = container.ports ?? [];
          if (typeof named === "string" && !ports.some((p) => p.name === named)) {
            report(
              `${subject}: ${kind.field} targets port "${named}", which the container does not declare; accepted: ${ports.some((p) => p.name) ? `one of ${describePorts(ports)}` : "a port number, as the container names no ports"}.`,
              resource.urn,
            );
          }
        }
      }
    },
  };
}

/**
 * Every container a Service sends traffic to has a readiness probe, so it is sent traffic only
 * once it answers. Where no Service points, a declared port alone asks for nothing.
 */
export const readinessProbe = probePolicy({
  field: "readinessProbe",
  name: "readiness-probe",
  description: "Every container a Service of the stack sends traffic to has a readinessProbe.",
  example: (port) => `httpGet {path: "/", port: ${port}}`,
});

/**
 * Every container a Service sends traffic to has a liveness probe, so the kubelet restarts it when
 * it hangs instead of leaving it in the Service, unready, for good.
 */
export const livenessProbe = probePolicy({
  field: "livenessProbe",
  name: "liveness-probe",
  description: "Every container a Service of the stack sends traffic to has a livenessProbe.",
  example: (port) => `tcpSocket {port: ${port}}`,
});
