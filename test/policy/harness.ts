import * as k8s from "@pulumi/kubernetes";
import {
  Container,
  EnforcementLevel,
  ObjectMeta,
  PodSpec,
  Policies,
  podSecurityPolicies,
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
  podPatch: typeToken(k8s.core.v1.PodPatch),
  deploymentPatch: typeToken(k8s.apps.v1.DeploymentPatch),
  cronJobPatch: typeToken(k8s.batch.v1.CronJobPatch),
};

/**
 * Every resource class of @pulumi/kubernetes, by type token: each API group's versions' classes
 * (`k8s.apps.v1.DeploymentPatch` is `kubernetes:apps/v1:DeploymentPatch`).
 */
export function sdkTypeTokens(): string[] {
  const tokens: string[] = [];
  for (const group of Object.values(k8s)) {
    for (const version of Object.values((group ?? {}) as Record<string, unknown>)) {
      for (const member of Object.values((version ?? {}) as Record<string, unknown>)) {
        const token = (member as { __pulumiType?: unknown } | undefined)?.__pulumiType;
        if (typeof member === "function" && typeof token === "string") {
          tokens.push(token);
        }
      }
    }
  }
  return [...new Set(tokens)].sort();
}

/** One reported violation, with the level it would be shown at. */
export interface Violation {
  readonly message: string;
  readonly level: EnforcementLevel;
  /** The resource a stack policy pointed at, when it did. */
  readonly urn?: string;
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

/** The pss-* policy of a control, by its name. */
export function pss(name: string): StackValidationPolicy {
  const policy = podSecurityPolicies.find((p) => p.name === name);
  if (policy === undefined) {
    throw new Error(`the pack has no policy ${name}`);
  }
  return policy;
}

/**
 * The problem a pss-* finding names, without the Pod Security Admission header and what is
 * accepted: `Pod x: spec.hostIPC is true` of `violates PodSecurity "…": host namespaces (Pod x:
 * spec.hostIPC is true); accepted: false or unset.`
 */
export function pssProblem(message: string): string {
  const problem = /^violates PodSecurity "[^"]+": .+? \((.*)\); accepted: /s.exec(message)?.[1];
  if (problem === undefined) {
    throw new Error(`not a pss-* finding: ${message}`);
  }
  return problem;
}

/** T with every readonly removed, all the way down, so a test can change one field. */
export type Mutable<T> = T extends readonly (infer E)[]
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
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "nginx",
          image: "nginx:1.28.0",
          imagePullPolicy: "IfNotPresent",
          ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
          readinessProbe: { httpGet: { path: "/", port: "http" } },
          livenessProbe: { tcpSocket: { port: "http" } },
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

/** The URN the engine gives the program's busybox pod: the key of the pack's one exemption. */
export const BUSYBOX_URN =
  "urn:pulumi:dev::pod-to-pod::pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod::busybox-pod";

/**
 * The lab's client as the program builds it, which restricted accepts only by its exemption: root,
 * to use the one capability it adds, NET_RAW, for ping.
 */
export function busyboxPod(change?: (pod: Mutable<PodManifest>) => void): PodManifest {
  return goodPod((p) => {
    p.metadata.name = "busybox-client";
    p.metadata.labels = {
      "app.kubernetes.io/name": "busybox",
      "app.kubernetes.io/part-of": "pod-to-pod",
    };
    p.spec.securityContext = { seccompProfile: { type: "RuntimeDefault" } };
    const [nginx] = p.spec.containers;
    p.spec.containers = [
      {
        name: "busybox",
        image: "busybox:1.37.0",
        imagePullPolicy: "IfNotPresent",
        resources: nginx.resources,
        securityContext: {
          runAsUser: 0,
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"], add: ["NET_RAW"] },
        },
      },
    ];
    change?.(p);
  });
}

/** A Deployment whose pod template is the pod. */
export function inDeployment(pod: PodManifest, name = "web"): object {
  return { metadata: { name, namespace: pod.metadata.namespace }, spec: { template: pod } };
}

/** A CronJob whose job template's pod template is the pod. */
export function inCronJob(pod: PodManifest, name = "probe"): object {
  return {
    metadata: { name, namespace: pod.metadata.namespace },
    spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: pod } } },
  };
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

/** The `<type>::<name>` of a URN, as findings name their resource. */
function resourceOf(urn: string): string {
  const [, , qualifiedType, ...name] = urn.split("::");
  return `${qualifiedType.split("$").pop()}::${name.join("::")}`;
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
  options: { name?: string; urn?: string; config?: Record<string, unknown> } = {},
): ResourceValidationArgs {
  const name = options.name ?? "test-resource";
  const record = props as Record<string, any>;
  return {
    type,
    props: record,
    urn: options.urn ?? urnOf(type, name),
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
  urn = urnOf(type, name),
): PolicyResource {
  const record = props as Record<string, any>;
  return {
    type,
    props: record,
    urn,
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
  return (
    message: string | { message: string; enforcementLevel?: EnforcementLevel; urn?: string },
    urn?: string,
  ) => {
    // The object form carries its own URN, as @pulumi/policy reads it.
    const [violation, at] =
      typeof message === "string"
        ? [{ message, level }, urn]
        : [{ message: message.message, level: message.enforcementLevel ?? level }, message.urn];
    into.push(at === undefined ? violation : { ...violation, urn: at });
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
  if (policy.validateResource === undefined) {
    // A stack policy handed here would report nothing, and every test of it would pass.
    throw new Error(`${policy.name} is not a resource policy`);
  }
  const violations: Violation[] = [];
  const validations = [policy.validateResource].flat();
  for (const validate of validations) {
    await validate(
      { ...args, getConfig: <T extends object>() => config as T },
      collector(levelOf(policy, config), violations),
    );
  }
  return violations;
}

/**
 * Runs a policy on a Pod (or, given a type, another resource) and returns what it reported; `urn`
 * gives the resource another identity, such as the exempted {@link BUSYBOX_URN}. A stack policy
 * sees the resource with `alongside` (say, its Namespace); a finding it reports on the resource
 * itself comes back without the URN, as a resource policy's would.
 */
export async function check(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  props: object,
  options: {
    type?: string;
    urn?: string;
    config?: Record<string, unknown>;
    alongside?: readonly StackResource[];
  } = {},
): Promise<Violation[]> {
  const type = options.type ?? TYPES.pod;
  const name = "resource-under-test";
  const urn = options.urn ?? urnOf(type, name);
  if ("validateStack" in policy) {
    const others = (options.alongside ?? []).map((r) =>
      policyResource(r.type, r.outputs ?? r.inputs, r.name, r.urn),
    );
    const found = await runStackPolicy(
      policy,
      [policyResource(type, props, name, urn), ...others],
      options.config,
    );
    return found.map((v) => (v.urn === urn ? { message: v.message, level: v.level } : v));
  }
  if (options.alongside !== undefined) {
    throw new Error(`${policy.name} is a resource policy: it sees no other resource`);
  }
  return runResourcePolicy(policy, resourceArgs(type, props, { name, urn }), options.config);
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
export interface Finding {
  readonly policy: string;
  /** `<type>::<name>` of the resource, or `stack` for a stack policy that named none. */
  readonly resource: string;
  readonly level: EnforcementLevel;
  readonly message: string;
}

/** A resource of a stack for {@link runPack}: its URN defaults to one with no parent. */
export interface StackResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: object;
  readonly outputs?: object;
  readonly urn?: string;
}

/**
 * Runs every policy of the pack over a stack: resource policies on each resource's inputs, stack
 * policies on all of them, each with its own config. `wrap` lets a caller pass props through the
 * SDK's unknown-checking proxy, as the analyzer does.
 */
export async function runPack(
  policies: Policies,
  resources: readonly StackResource[],
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
        policyResource(r.type, wrap(r.outputs ?? r.inputs), r.name, r.urn),
      );
      for (const { level, message, urn } of await runStackPolicy(policy, stack, policyConfig)) {
        const resource = urn === undefined ? "stack" : resourceOf(urn);
        findings.push({ policy: policy.name, resource, level, message });
      }
      continue;
    }
    for (const r of resources) {
      const args = resourceArgs(r.type, wrap(r.inputs), { name: r.name, urn: r.urn });
      for (const { level, message } of await runResourcePolicy(policy, args, policyConfig)) {
        findings.push({ policy: policy.name, resource: `${r.type}::${r.name}`, level, message });
      }
    }
  }
  return findings;
}
