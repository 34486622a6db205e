import * as k8s from "@pulumi/kubernetes";
import {
  Container,
  EnforcementLevel,
  ObjectMeta,
  PodSpec,
  Policies,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  ServiceSpec,
  StackValidationArgs,
  StackValidationPolicy,
} from "../../policy/policies";

/** A resource class's type token, e.g. `kubernetes:core/v1:Pod` for k8s.core.v1.Pod. */
export function typeToken(resourceClass: object): string {
  const token = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
  if (typeof token !== "string") {
    throw new Error("not a Pulumi resource class");
  }
  return token;
}

/** Type tokens of the resources the tests build, read from the SDK's own classes. */
export const TYPES = {
  pod: typeToken(k8s.core.v1.Pod),
  service: typeToken(k8s.core.v1.Service),
  configMap: typeToken(k8s.core.v1.ConfigMap),
  namespace: typeToken(k8s.core.v1.Namespace),
  deployment: typeToken(k8s.apps.v1.Deployment),
  cronJob: typeToken(k8s.batch.v1.CronJob),
};

/** One reported violation, with the level it would be shown at. */
export interface Violation {
  readonly message: string;
  readonly level: EnforcementLevel;
}

/** A Pod manifest, as the tests write them. */
export interface PodManifest {
  metadata: ObjectMeta & { labels?: Record<string, string> };
  spec: PodSpec & { containers: Container[] };
}

/** A Service manifest. */
export interface ServiceManifest {
  metadata: ObjectMeta;
  spec: ServiceSpec;
}

/** Per-policy config, keyed by policy name, as `--policy-pack-config` gives it. */
export type PackConfig = Record<string, Record<string, unknown>>;

/** T with every readonly removed, all the way down, so a test can change one field. */
type Mutable<T> = T extends readonly (infer E)[]
  ? Mutable<E>[]
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;

/**
 * The happy path: a Pod that every policy accepts, shaped like the lab's nginx server. Tests take
 * it and change one thing.
 */
export function goodPod(change?: (pod: Mutable<PodManifest>) => void): PodManifest {
  const pod: Mutable<PodManifest> = {
    metadata: {
      name: "nginx-server",
      namespace: "pod-to-pod",
      labels: {
        app: "nginx",
        "app.kubernetes.io/name": "nginx",
        "app.kubernetes.io/part-of": "pod-to-pod",
      },
    },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "nginx",
          image: "nginx:1.28.0",
          ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
          readinessProbe: { httpGet: { path: "/", port: "http" } },
          resources: {
            requests: { cpu: "50m", memory: "32Mi" },
            limits: { cpu: "250m", memory: "64Mi" },
          },
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          },
        },
      ],
    },
  };
  change?.(pod);
  return pod as PodManifest;
}

/** The happy path for Services: the lab's nginx-service, selecting {@link goodPod} by port name. */
export function goodService(change?: (service: Mutable<ServiceManifest>) => void): ServiceManifest {
  const service: Mutable<ServiceManifest> = {
    metadata: { name: "nginx-service", namespace: "pod-to-pod" },
    spec: {
      type: "ClusterIP",
      selector: { app: "nginx", "app.kubernetes.io/name": "nginx" },
      ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: "http" }],
    },
  };
  change?.(service);
  return service as ServiceManifest;
}

/** Thrown by `notApplicable`, as the SDK does. */
class NotApplicable extends Error {}

const NO_OPTIONS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::pod-to-pod::${type}::${name}`;
}

function isType(type: string) {
  return (resourceClass: object) => {
    try {
      return typeToken(resourceClass) === type;
    } catch {
      return false;
    }
  };
}

/** Validation args for one resource, as the analyzer builds them from its inputs. */
export function resourceArgs(
  type: string,
  props: object,
  options: { name?: string; config?: Record<string, unknown> } = {},
): ResourceValidationArgs {
  const name = options.name ?? "test-resource";
  const record = props as Record<string, any>;
  return {
    type,
    props: record,
    urn: urnOf(type, name),
    name,
    opts: NO_OPTIONS,
    stackTags: new Map(),
    isType: isType(type),
    asType: ((resourceClass: object) =>
      isType(type)(resourceClass) ? record : undefined) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => (options.config ?? {}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** A resource of a stack, as the analyzer hands it to a stack policy (props are outputs). */
export function policyResource(
  type: string,
  props: object,
  name = "test-resource",
): PolicyResource {
  const record = props as Record<string, any>;
  return {
    type,
    props: record,
    urn: urnOf(type, name),
    name,
    opts: NO_OPTIONS,
    dependencies: [],
    propertyDependencies: {},
    isType: isType(type),
    asType: ((resourceClass: object) =>
      isType(type)(resourceClass) ? record : undefined) as PolicyResource["asType"],
  };
}

/** A reportViolation that records what it is given, string or object, at the policy's level. */
function collector(level: EnforcementLevel, into: Violation[]) {
  return (message: string | { message: string; enforcementLevel?: EnforcementLevel }) => {
    if (typeof message === "string") {
      into.push({ message, level });
    } else {
      into.push({ message: message.message, level: message.enforcementLevel ?? level });
    }
  };
}

function levelOf(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  config: Record<string, unknown>,
): EnforcementLevel {
  return (config.enforcementLevel as EnforcementLevel | undefined) ?? policy.enforcementLevel!;
}

/** Runs a resource policy on one resource and returns what it reported. */
export async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
  config: Record<string, unknown> = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const validations = [policy.validateResource ?? []].flat();
  for (const validate of validations) {
    await validate(
      { ...args, getConfig: <T extends object>() => config as T },
      collector(levelOf(policy, config), violations),
    );
  }
  return violations;
}

/** Runs a resource policy on a Pod (or, given a type, another resource) and returns what it reported. */
export function check(
  policy: ResourceValidationPolicy,
  props: object,
  options: { type?: string; config?: Record<string, unknown> } = {},
): Promise<Violation[]> {
  return runResourcePolicy(
    policy,
    resourceArgs(options.type ?? TYPES.pod, props, { name: "resource-under-test" }),
    options.config,
  );
}

/** Runs a stack policy on a list of resources and returns what it reported. */
export async function runStackPolicy(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
  config: Record<string, unknown> = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const args: StackValidationArgs = {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  await policy.validateStack(args, collector(levelOf(policy, config), violations));
  return violations;
}

/** One finding of a whole-pack run. */
export interface Finding extends Violation {
  readonly policy: string;
  readonly resource: string;
}

/**
 * Runs every policy of the pack over a stack: resource policies on each resource's inputs, stack
 * policies on all of them, each with its own config. `wrap` lets a caller pass props through the
 * SDK's unknown-checking proxy, as the analyzer does.
 */
export async function runPack(
  policies: Policies,
  resources: { type: string; name: string; inputs: object; outputs?: object }[],
  config: PackConfig = {},
  wrap: (props: object) => object = (props) => props,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const policy of policies) {
    const policyConfig = config[policy.name] ?? {};
    if (policyConfig.enforcementLevel === "disabled") {
      continue;
    }
    if ("validateStack" in policy) {
      const stack = resources.map((r) =>
        policyResource(r.type, wrap(r.outputs ?? r.inputs), r.name),
      );
      for (const v of await runStackPolicy(policy, stack, policyConfig)) {
        findings.push({ ...v, policy: policy.name, resource: "stack" });
      }
      continue;
    }
    for (const r of resources) {
      const args = resourceArgs(r.type, wrap(r.inputs), { name: r.name });
      for (const v of await runResourcePolicy(policy, args, policyConfig)) {
        findings.push({ ...v, policy: policy.name, resource: `${r.type}::${r.name}` });
      }
    }
  }
  return findings;
}
