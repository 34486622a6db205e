import {
  ContainerEntry,
  containersOf,
  kindOf,
  objectName,
  PodTemplate,
  podTemplateOf,
} from "./pods";
import { ObjectMeta, PolicyResource, ServicePort, ServiceSpec } from "./types";

/** The namespace an object lands in when it names none (the provider may choose another). */
const DEFAULT_NAMESPACE = "default";

/** A pod of the stack, with the resource that declares it. */
export interface StackPod {
  readonly resource: PolicyResource;
  readonly pod: PodTemplate;
}

/** A Service of the stack that sends traffic to pods by a selector. */
export interface SelectingService {
  readonly resource: PolicyResource;
  /** `Service nginx-service`. */
  readonly subject: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
}

/** Every Pod and workload pod template of the stack, and every patch of one. */
export function stackPods(resources: readonly PolicyResource[]): StackPod[] {
  return resources.flatMap((resource) => {
    const pod = podTemplateOf(resource);
    return pod === undefined ? [] : [{ resource, pod }];
  });
}

/**
 * The core Services of the stack that have a selector. ExternalName Services and those whose
 * endpoints are managed by hand (no selector) send traffic to no pod of the stack.
 */
export function selectingServices(resources: readonly PolicyResource[]): SelectingService[] {
  return resources.flatMap((resource) => {
    if (kindOf(resource.type) !== "Service" || !resource.type.startsWith("kubernetes:core/")) {
      return [];
    }
    const metadata = resource.props.metadata as ObjectMeta | undefined;
    const spec = (resource.props.spec ?? {}) as ServiceSpec;
    const selector = spec.selector ?? {};
    if (spec.type === "ExternalName" || Object.keys(selector).length === 0) {
      return [];
    }
    return [
      {
        resource,
        subject: `Service ${objectName(resource)}`,
        namespace: metadata?.namespace ?? DEFAULT_NAMESPACE,
        selector,
        ports: spec.ports ?? [],
      },
    ];
  });
}

/** The pods of the stack in the Service's namespace, whether or not it selects them. */
export function podsInNamespace(service: SelectingService, pods: readonly StackPod[]): StackPod[] {
  return pods.filter((p) => (p.pod.namespace ?? DEFAULT_NAMESPACE) === service.namespace);
}

/** The pods of the stack the Service selects: same namespace, every selector label present. */
export function selectedPods(service: SelectingService, pods: readonly StackPod[]): StackPod[] {
  return podsInNamespace(service, pods).filter(({ pod }) =>
    Object.entries(service.selector).every(([key, value]) => pod.labels[key] === value),
  );
}

/** The port a Service port sends traffic to: targetPort, else the port itself. */
export function targetOf(port: ServicePort): number | string | undefined {
  return port.targetPort ?? port.port;
}

/**
 * The containers of a pod that serve a target port: the one declaring the port name, or the ones
 * declaring the port number. Kubernetes routes a number no container declares just the same, so
 * then every container of the pod may be the one listening, and each is taken as serving it.
 */
export function servingContainers(pod: PodTemplate, target: number | string): ContainerEntry[] {
  const containers = containersOf(pod, ["container"]);
  const declaring = containers.filter(({ container }) =>
    (container.ports ?? []).some((p) =>
      typeof target === "string" ? p.name === target : p.containerPort === target,
    ),
  );
  return declaring.length > 0 || typeof target === "string" ? declaring : containers;
}

/**
 * The pods the stack creates: its Pods and workloads, not its patches. The rules that look at the
 * stack as a whole (Services, NetworkPolicies, probes behind a Service) judge these: a patch's
 * labels and containers are merged with a live object the preview cannot see.
 */
export function createdPods(resources: readonly PolicyResource[]): StackPod[] {
  return stackPods(resources).filter(({ pod }) => !pod.patch);
}
