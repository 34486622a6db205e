import {
  Container,
  ObjectMeta,
  PodSpec,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
} from "./types";

/** What the policies need of any resource: its type token, properties and Pulumi name. */
export interface ResourceLike {
  readonly type: string;
  readonly props: Record<string, unknown>;
  readonly name: string;
}

/**
 * Where each workload kind keeps its pod: the Pod itself, the template of the controllers, the
 * template of a CronJob's job template. Any API group or version of these kinds counts, so
 * `extensions/v1beta1:Deployment` is covered like `apps/v1:Deployment`, and so does the `…Patch`
 * kind of each (`DeploymentPatch`: server-side apply of a partial object), judged as a patch.
 */
export const POD_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  ReplicationController: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

/** The suffix @pulumi/kubernetes gives the patch kind of each resource kind: `PodPatch`. */
export const PATCH_SUFFIX = "Patch";

/** The Kind of a `kubernetes:<group>/<version>:<Kind>` type token, if it is one. */
export function kindOf(type: string): string | undefined {
  return /^kubernetes:[^:]+:([A-Za-z0-9]+)$/.exec(type)?.[1];
}

/** Values unknown during a preview throw when read; this reads one and falls back instead. */
export function orUnknown<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch (e) {
    // @pulumi/policy's UnknownValueError, matched by name: the policies import no runtime code.
    if (e instanceof Error && e.constructor.name === "UnknownValueError") {
      return fallback;
    }
    throw e;
  }
}

/** A resource's Kubernetes name: `metadata.name`, else (auto-named, or unknown) its Pulumi name. */
export function objectName(resource: ResourceLike): string {
  const metadata = resource.props.metadata as ObjectMeta | undefined;
  return orUnknown(() => metadata?.name, undefined) ?? resource.name;
}

/**
 * One pod as a policy sees it: a Pod resource, or the pod template of a workload. The fields read
 * the resource when used, so a value a preview cannot know (say, a namespace that is still to be
 * created) stops only the policies that need it.
 */
export interface PodTemplate {
  /** The resource's Kind: Pod, Deployment, CronJob, DeploymentPatch... */
  readonly kind: string;
  /**
   * Whether the resource is a `…Patch`: it sets only some fields of an object the cluster already
   * holds, so a field it leaves out is the live object's, not a violation of its own.
   */
  readonly patch: boolean;
  /** The resource's name (see {@link objectName}). */
  readonly name: string;
  /** The resource's `metadata.namespace`, as written. */
  readonly namespace: string | undefined;
  /** The pod's own labels: a Pod's, or its template's. */
  readonly labels: Readonly<Record<string, string>>;
  /** The pod's own annotations: a Pod's, or its template's. */
  readonly annotations: Readonly<Record<string, string>>;
  /** The pod's spec. */
  readonly spec: PodSpec;
  /** How messages name it: `Pod nginx-server`, `Deployment web (pod template)`. */
  readonly subject: string;
}

/** The pod of a Pod or workload resource, or of its patch; undefined for every other resource. */
export function podTemplateOf(resource: ResourceLike): PodTemplate | undefined {
  const kind = kindOf(resource.type);
  if (kind === undefined) {
    return undefined;
  }
  const patch = kind.endsWith(PATCH_SUFFIX);
  const path = POD_PATHS[patch ? kind.slice(0, -PATCH_SUFFIX.length) : kind];
  if (path === undefined) {
    return undefined;
  }
  const pod = (): { metadata?: ObjectMeta; spec?: PodSpec } => {
    let at: unknown = resource.props;
    for (const key of path) {
      at = (at as Record<string, unknown> | undefined)?.[key];
    }
    return (at ?? {}) as { metadata?: ObjectMeta; spec?: PodSpec };
  };
  const name = objectName(resource);
  return {
    kind,
    patch,
    name,
    get namespace() {
      return (resource.props.metadata as ObjectMeta | undefined)?.namespace;
    },
    get labels() {
      return pod().metadata?.labels ?? {};
    },
    get annotations() {
      return pod().metadata?.annotations ?? {};
    },
    get spec() {
      return pod().spec ?? {};
    },
    subject: path.length === 0 ? `${kind} ${name}` : `${kind} ${name} (pod template)`,
  };
}

/** Which list of the pod spec a container comes from. */
export type ContainerRole = "container" | "init container" | "ephemeral container";

/** A container with the words that name it in a message. */
export interface ContainerEntry {
  readonly container: Container;
  readonly role: ContainerRole;
  /** `Pod nginx-server, container nginx`. */
  readonly subject: string;
}

const ALL_ROLES: readonly ContainerRole[] = ["container", "init container", "ephemeral container"];

/** The pod's containers of the given roles (all by default), in spec order. */
export function containersOf(
  pod: PodTemplate,
  roles: readonly ContainerRole[] = ALL_ROLES,
): ContainerEntry[] {
  const lists: Record<ContainerRole, readonly Container[] | undefined> = {
    container: pod.spec.containers,
    "init container": pod.spec.initContainers,
    "ephemeral container": pod.spec.ephemeralContainers,
  };
  return roles.flatMap((role) =>
    (lists[role] ?? []).map((container, index) => ({
      container,
      role,
      subject: `${pod.subject}, ${role} ${container.name ?? `#${index + 1}`}`,
    })),
  );
}

/** A resource validation that runs only on Pods and workloads, with their pod in hand. */
export function validatePods(
  check: (pod: PodTemplate, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
  return (args, report) => {
    const pod = podTemplateOf(args);
    if (pod !== undefined) {
      check(pod, args, report);
    }
  };
}

/**
 * Whether a rule that asks for a field to be set should pass over its absence: a patch that leaves
 * a field out leaves it as the live object has it, which the patch does not decide.
 */
export function leftToLiveObject(pod: PodTemplate, value: unknown): boolean {
  return pod.patch && value === undefined;
}

/** Formats labels as `k=v, k=v` for messages. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? "none" : entries.map(([k, v]) => `${k}=${v}`).join(", ");
}
