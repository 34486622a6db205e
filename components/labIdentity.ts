import { createHash } from "node:crypto";
import { PART_OF } from "./labels";

/**
 * Which stack a lab's Kubernetes objects belong to: every object the lab creates carries it as
 * annotations, so that a stack adopts only the objects it made (a leftover of its own interrupted
 * `up`) and refuses another stack's, naming it. No Pulumi module is imported: this is pure logic.
 */
export interface LabIdentity {
  /** The Pulumi project (`pulumi.getProject()`). */
  readonly project: string;
  /** The Pulumi stack (`pulumi.getStack()`). */
  readonly stack: string;
  /** The PodToPodLab component's name. */
  readonly lab: string;
}

/** The annotation keys that hold a lab's identity. */
export const IDENTITY_ANNOTATIONS = {
  project: "pod-to-pod/project",
  stack: "pod-to-pod/stack",
  lab: "pod-to-pod/lab",
} as const;

/** The annotations that mark an object as this lab's. */
export function identityAnnotations(identity: LabIdentity): Record<string, string> {
  return {
    [IDENTITY_ANNOTATIONS.project]: identity.project,
    [IDENTITY_ANNOTATIONS.stack]: identity.stack,
    [IDENTITY_ANNOTATIONS.lab]: identity.lab,
  };
}

/** The provider's annotation naming the server-side apply field manager of an object. */
export const FIELD_MANAGER_ANNOTATION = "pulumi.com/patchFieldManager";

/** The API server refuses longer field manager names. */
const FIELD_MANAGER_MAX = 128;

/**
 * The server-side apply field manager a lab writes its objects as. By default the provider draws a
 * random one per object, so when two stacks race for one name the API server's conflict names
 * `pulumi-kubernetes-<random>`; named after the stack, the loser's error names the owner.
 */
export function fieldManagerOf(identity: LabIdentity): string {
  const name = `pod-to-pod/${identity.project}/${identity.stack}/${identity.lab}`;
  if (name.length <= FIELD_MANAGER_MAX) {
    return name;
  }
  // Still unique to the identity, and still says whose it is as far as room allows.
  const digest = createHash("sha256").update(name).digest("hex").slice(0, 16);
  return `${name.slice(0, FIELD_MANAGER_MAX - digest.length - 1)}~${digest}`;
}

/** A lab's identity as a person reads it: `lab "pod-to-pod" of stack "dev" (project pod-to-pod)`. */
export function describeIdentity(identity: LabIdentity): string {
  return `lab "${identity.lab}" of stack "${identity.stack}" (project ${identity.project})`;
}

/** One object the lab is about to create: its kind (as kubectl names it) and name. */
export interface LabObjectRef {
  /** `namespace`, `pod`, `service`, `networkpolicy`, `daemonset`, `configmap` or `job`. */
  readonly kind: string;
  /** The object's name. */
  readonly name: string;
}

/** What the cluster holds under one of those names. */
export interface LiveObject extends LabObjectRef {
  /** Its annotations (absent: none). */
  readonly annotations: Readonly<Record<string, string>>;
  /** Its labels (absent: none). */
  readonly labels: Readonly<Record<string, string>>;
  /** The field managers that wrote it (metadata.managedFields), first first. */
  readonly managers: readonly string[];
  /** A ConfigMap's data. */
  readonly data?: Readonly<Record<string, string>>;
}

/** Whose an existing object is, as far as its metadata says. */
export type Owner =
  | { readonly kind: "this-lab" }
  | { readonly kind: "other-lab"; readonly identity: LabIdentity }
  | { readonly kind: "unnamed-lab" }
  | { readonly kind: "not-a-lab"; readonly managers: readonly string[] };

/** Reads an object's owner from its identity annotations and labels. */
export function ownerOf(object: LiveObject, identity: LabIdentity): Owner {
  const { annotations, labels } = object;
  const stack = annotations[IDENTITY_ANNOTATIONS.stack];
  if (stack !== undefined) {
    const theirs: LabIdentity = {
      project: annotations[IDENTITY_ANNOTATIONS.project] ?? "",
      stack,
      lab: annotations[IDENTITY_ANNOTATIONS.lab] ?? "",
    };
    return theirs.project === identity.project &&
      theirs.stack === identity.stack &&
      theirs.lab === identity.lab
      ? { kind: "this-lab" }
      : { kind: "other-lab", identity: theirs };
  }
  // Made by a version of the lab from before stack identities: which stack, nothing says.
  if (labels["app.kubernetes.io/part-of"] === PART_OF) {
    return { kind: "unnamed-lab" };
  }
  return { kind: "not-a-lab", managers: object.managers };
}

/** What the lab may do with the objects that already exist under its names. */
export interface ClaimVerdict {
  /** One line per object that belongs to someone else: the lab must not touch them. */
  readonly refusals: readonly string[];
  /** Objects of a lab from before stack identities: this stack takes them over, with a warning. */
  readonly unnamed: readonly string[];
}

function describeOwner(owner: Owner): string {
  switch (owner.kind) {
    case "other-lab":
      return `belongs to ${describeIdentity(owner.identity)}`;
    case "not-a-lab":
      return owner.managers.length > 0
        ? `was not made by a pod-to-pod lab (written by ${owner.managers.join(", ")})`
        : "was not made by a pod-to-pod lab";
    default:
      return "";
  }
}

function objectName(object: LabObjectRef, namespace: string): string {
  return object.kind === "namespace"
    ? `namespace ${object.name}`
    : `${object.kind} ${namespace}/${object.name}`;
}

/**
 * Judges the objects that already exist under the names the lab is about to use. This lab's own
 * (a leftover of its interrupted `up`, or what it made before) are fine; another stack's, or an
 * object nobody's lab made, are refused. A namespace the lab only uses (createNamespace false) may
 * be anybody's: only the objects in it are judged.
 */
export function judgeClaims(
  identity: LabIdentity,
  live: readonly LiveObject[],
  namespace: string,
  createNamespace: boolean,
): ClaimVerdict {
  const refusals: string[] = [];
  const unnamed: string[] = [];
  for (const object of live) {
    if (object.kind === "namespace" && !createNamespace) {
      continue;
    }
    const owner = ownerOf(object, identity);
    if (owner.kind === "unnamed-lab") {
      unnamed.push(objectName(object, namespace));
    } else if (owner.kind !== "this-lab") {
      refusals.push(`${objectName(object, namespace)} ${describeOwner(owner)}`);
    }
  }
  return { refusals, unnamed };
}

/**
 * The refusal a stack gets for another's objects: each object and its owner, and what to set so
 * that this stack's lab has a namespace of its own.
 */
export function refusalMessage(
  identity: LabIdentity,
  namespace: string,
  refusals: readonly string[],
): string {
  return [
    `The ${describeIdentity(identity)} cannot use namespace ${namespace}: what it would create exists already and is not this stack's, and a stack adopts only objects that carry its own identity (annotations ${Object.values(IDENTITY_ANNOTATIONS).join(", ")}):`,
    ...refusals.map((line) => `  - ${line}`),
    `Nothing was created or changed. Give this stack a namespace of its own: pulumi config set pod-to-pod:namespace ${suggestedNamespace(identity)}`,
  ].join("\n");
}

/** A namespace name for the stack's own lab: `pod-to-pod-<stack>`, as a DNS label of at most 63. */
export function suggestedNamespace(identity: LabIdentity): string {
  const stack = identity.stack
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${PART_OF}-${stack}`.slice(0, 63).replace(/-+$/, "");
}

interface KubeItem {
  kind?: string;
  data?: Record<string, string>;
  metadata?: {
    name?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    managedFields?: Array<{ manager?: string }>;
  };
}

/** The objects of `kubectl get … -o json` (a List, or one object), in the lab's own terms. */
export function parseLiveObjects(json: string): LiveObject[] {
  const text = json.trim();
  if (text === "") {
    return [];
  }
  const parsed = JSON.parse(text) as KubeItem & { items?: KubeItem[] };
  const items = parsed.items ?? [parsed];
  return items.map((item) => ({
    kind: (item.kind ?? "").toLowerCase(),
    name: item.metadata?.name ?? "",
    annotations: item.metadata?.annotations ?? {},
    labels: item.metadata?.labels ?? {},
    managers: [
      ...new Set(
        (item.metadata?.managedFields ?? [])
          .map((field) => field.manager)
          .filter((m): m is string => !!m),
      ),
    ],
    ...(item.data ? { data: item.data } : {}),
  }));
}
