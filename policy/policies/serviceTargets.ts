import { formatLabels } from "./pods";
import {
  createdPods,
  podsInNamespace,
  selectedPods,
  selectingServices,
  targetOf,
} from "./services";
import { ContainerPort, StackValidationPolicy } from "./types";

function describePort(port: ContainerPort): string {
  return port.name ? `${port.name} (${port.containerPort})` : `${port.containerPort}`;
}

/**
 * Every Service with a selector selects at least one Pod (or pod template) of the stack in its
 * namespace, and each port that targets a port by name finds that name on a selected pod. A
 * numeric targetPort need not be declared: Kubernetes routes to the number whether or not a
 * container lists it.
 */
export const serviceTargets: StackValidationPolicy = {
  name: "service-targets",
  description:
    "Every Service selects a Pod of the stack, and a targetPort given by name is a port the Pod names.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const pods = createdPods(args.resources);
    for (const service of selectingServices(args.resources)) {
      const selected = selectedPods(service, pods);
      if (selected.length === 0) {
        const candidates = podsInNamespace(service, pods).map(
          ({ pod }) => `${pod.subject} {${formatLabels(pod.labels)}}`,
        );
        report(
          `${service.subject} selects {${formatLabels(service.selector)}} in namespace ${service.namespace}, which no Pod of the stack carries; accepted: a selector whose labels all appear on a Pod in the same namespace (there: ${candidates.length > 0 ? candidates.join("; ") : "no Pods"}).`,
          service.resource.urn,
        );
        continue;
      }
      const declared = selected.flatMap(({ pod }) =>
        (pod.spec.containers ?? []).flatMap((c) => [...(c.ports ?? [])]),
      );
      for (const port of service.ports) {
        const target = targetOf(port);
        if (typeof target === "string" && !declared.some((p) => p.name === target)) {
          const named = declared.filter((p) => p.name);
          report(
            `${service.subject} port ${port.name ?? port.port} targets port name "${target}", which no selected Pod (${selected.map(({ pod }) => pod.subject).join(", ")}) declares; accepted: ${named.length > 0 ? named.map(describePort).join(", ") : "a port number, as the selected Pods name no ports"}.`,
            service.resource.urn,
          );
        }
      }
    }
  },
};
