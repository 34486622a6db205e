import { formatLabels, kindOf, objectName, PodTemplate, podTemplateOf } from "./pods";
import { ContainerPort, ObjectMeta, ServiceSpec, StackValidationPolicy } from "./types";

/** The namespace an object lands in when it names none (the provider may choose another). */
const DEFAULT_NAMESPACE = "default";

function selects(selector: Readonly<Record<string, string>>, pod: PodTemplate): boolean {
  return Object.entries(selector).every(([key, value]) => pod.labels[key] === value);
}

function portsOf(pod: PodTemplate): ContainerPort[] {
  return (pod.spec.containers ?? []).flatMap((c) => [...(c.ports ?? [])]);
}

function describePort(port: ContainerPort): string {
  return port.name ? `${port.name} (${port.containerPort})` : `${port.containerPort}`;
}

/**
 * Every Service with a selector selects at least one Pod (or pod template) of the stack in its
 * namespace, and each of its ports targets a port that a selected pod declares: by name when
 * targetPort is a string, by containerPort when it is a number (or unset: then it is `port`).
 * Services without a selector (ExternalName, or endpoints managed by hand) are left alone.
 */
export const serviceTargets: StackValidationPolicy = {
  name: "service-targets",
  description: "Every Service selects a Pod of the stack and targets a port that the Pod declares.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const pods = args.resources
      .map((r) => podTemplateOf(r))
      .filter((p): p is PodTemplate => p !== undefined);
    for (const resource of args.resources) {
      if (kindOf(resource.type) !== "Service" || !resource.type.startsWith("kubernetes:core/")) {
        continue;
      }
      const metadata = resource.props.metadata as ObjectMeta | undefined;
      const spec = (resource.props.spec ?? {}) as ServiceSpec;
      const selector = spec.selector ?? {};
      if (spec.type === "ExternalName" || Object.keys(selector).length === 0) {
        continue;
      }
      const namespace = metadata?.namespace ?? DEFAULT_NAMESPACE;
      const name = `Service ${objectName(resource)}`;
      const inNamespace = pods.filter((p) => (p.namespace ?? DEFAULT_NAMESPACE) === namespace);
      const selected = inNamespace.filter((p) => selects(selector, p));
      if (selected.length === 0) {
        const candidates = inNamespace.map((p) => `${p.subject} {${formatLabels(p.labels)}}`);
        report(
          `${name} selects {${formatLabels(selector)}} in namespace ${namespace}, which no Pod of the stack carries; accepted: a selector whose labels all appear on a Pod in the same namespace (there: ${candidates.length > 0 ? candidates.join("; ") : "no Pods"}).`,
          resource.urn,
        );
        continue;
      }
      const declared = selected.flatMap(portsOf);
      for (const port of spec.ports ?? []) {
        const target = port.targetPort ?? port.port;
        const found =
          typeof target === "string"
            ? declared.some((p) => p.name === target)
            : declared.some((p) => p.containerPort === target);
        if (!found) {
          report(
            `${name} port ${port.name ?? port.port} targets ${typeof target === "string" ? `port name "${target}"` : `port ${target}`}, which no selected Pod (${selected.map((p) => p.subject).join(", ")}) declares; accepted: ${declared.length > 0 ? declared.map(describePort).join(", ") : "none: the selected Pods declare no ports"}.`,
            resource.urn,
          );
        }
      }
    }
  },
};
