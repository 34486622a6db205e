import { z } from "zod";
import { dnsNameProblem, DNS_NAME_MAX, DNS_LABEL_MAX } from "./dnsName";
import { imageReferenceProblem, mutableImageProblem } from "./imageReference";
import { compareQuantities, parseQuantity, QUANTITY_MAX } from "./quantity";

/**
 * Every `pod-to-pod:*` key, declared once: its type, its default and what the user is told when a
 * value is wrong. Pulumi.yaml's `config:` block states the same defaults (test/pulumiYaml.test.ts).
 *
 * Values arrive as Pulumi stores them: top-level scalars as strings ("80", "true"), objects as
 * parsed JSON whose leaves may be numbers or strings (`pulumi config set --path` writes either).
 */

/** Namespaces Kubernetes creates itself: the program uses them but never creates or deletes them. */
export const BUILTIN_NAMESPACES: readonly string[] = [
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
];

/** The port the every-node mesh's echo servers serve the nodes on (see components/nodeMesh.ts). */
export const MESH_NODE_PORT = 9080;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * An integer in [min, max], given as a number or as decimal digits ("0x50", "1e2" are not). Digits
 * beyond what a double holds exactly (15) stay text, so that a problem shows them as they were
 * given; a value out of range is one problem, not one per bound.
 */
function integer(min: number, max: number, fallback: number) {
  const error = `expected an integer from ${min} to ${max}`;
  return z
    .preprocess(
      (value) => (typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : value),
      z
        .number({ error })
        .int({ error, abort: true })
        .min(min, { error, abort: true })
        .max(max, { error }),
    )
    .default(fallback);
}

/** true or false, given as a boolean or as the string Pulumi stores. */
function flag(fallback: boolean) {
  const error = "expected true or false";
  return z
    .preprocess(
      (value) => (value === "true" ? true : value === "false" ? false : value),
      z.boolean({ error }),
    )
    .default(fallback);
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  // `fallback` is one of the values by its parameter's type. The cast is for the package's plugin
  // host, which compiles this file without strict null checks (it finds no tsconfig of ours), where
  // zod's default() cannot see that.
  return z
    .enum(values, { error: `expected one of ${values.join(", ")}` })
    .default(fallback as never);
}

/** Why a zero request or limit is refused. */
const ZERO = {
  requests: "a zero request reserves nothing for the container on its node",
  limits: "a zero limit reaches the container runtime as no limit at all",
} as const;

function quantity(fallback: string, kind: keyof typeof ZERO) {
  const error = `expected a Kubernetes quantity such as "250m", "0.5", "64Mi" or "1.5Gi"`;
  return z
    .preprocess(
      (value) => (typeof value === "number" ? String(value) : value),
      z.string({ error }).superRefine((value, ctx) => {
        const parsed = parseQuantity(value);
        const message = !parsed
          ? error
          : parsed.negative
            ? "expected a quantity of zero or more: Kubernetes refuses negative requests and limits"
            : parsed.milli === 0n
              ? `expected a quantity above zero: ${ZERO[kind]}`
              : parsed.tooLarge
                ? `expected at most ${QUANTITY_MAX} (2^63-1), the largest quantity Kubernetes holds`
                : undefined;
        if (message) {
          ctx.addIssue({ code: "custom", input: value, message });
        }
      }),
    )
    .default(fallback);
}

/** An image reference, pinned: a tag that moves (latest, or none) would change what runs unseen. */
function image(fallback: string) {
  const error =
    "expected an image reference such as nginx:1.28.0 or registry.example/nginx@sha256:<64 hex>";
  return z
    .string({ error })
    .superRefine((value, ctx) => {
      const problem = imageReferenceProblem(value);
      const message = problem ? `${error}: ${problem}` : mutableImageProblem(value);
      if (message) {
        ctx.addIssue({ code: "custom", input: value, message });
      }
    })
    .default(fallback);
}

const DNS_NAME = `expected a DNS name such as cluster.local: labels of 1 to ${DNS_LABEL_MAX} characters (a-z, 0-9, '-', not starting or ending with '-') joined by '.', at most ${DNS_NAME_MAX} characters in all`;

/** The cluster's DNS domain: a DNS name (its room beside the Service names is the lab's check). */
function domain(fallback: string) {
  return z
    .string({ error: DNS_NAME })
    .superRefine((value, ctx) => {
      const problem = dnsNameProblem(value);
      if (problem) {
        ctx.addIssue({ code: "custom", input: value, message: `${DNS_NAME}; ${problem}` });
      }
    })
    .default(fallback);
}

/**
 * The most characters a domain can have beside the lab's Service names in `namespace`:
 * `<service>.<namespace>.svc.<domain>` is a DNS name, and a Service's name has up to 63 characters
 * (the program's is nginx-service, a component's `<name>-nginx-service`).
 */
export function clusterDomainRoom(namespace: string): number {
  return DNS_NAME_MAX - DNS_LABEL_MAX - ".".length - namespace.length - ".svc.".length;
}

/** A JSON object with exactly these keys, each defaulted; unknown keys are named. */
function settings<T extends z.core.$ZodLooseShape>(shape: T) {
  return (
    z
      .strictObject(shape, {
        error: (issue) =>
          issue.code === "unrecognized_keys"
            ? `unknown key; the keys here are ${Object.keys(shape).join(", ")}`
            : `expected an object with keys ${Object.keys(shape).join(", ")}`,
      })
      // Every key has a default, so an absent object is an empty one (TypeScript cannot see that
      // through the generic shape).
      .prefault({} as never)
  );
}

interface ResourceDefaults {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

function resources(defaults: ResourceDefaults) {
  const pair = (fallback: { cpu: string; memory: string }, kind: keyof typeof ZERO) =>
    settings({ cpu: quantity(fallback.cpu, kind), memory: quantity(fallback.memory, kind) });
  return settings({
    requests: pair(defaults.requests, "requests"),
    limits: pair(defaults.limits, "limits"),
  }).superRefine((value, ctx) => {
    for (const resource of ["cpu", "memory"] as const) {
      const request = value.requests[resource];
      const limit = value.limits[resource];
      const [requested, limited] = [parseQuantity(request), parseQuantity(limit)];
      // Compared exactly, as Kubernetes compares them: 9m and 0.009 are the same quantity. A zero
      // is a problem of its own already.
      if (requested?.milli && limited?.milli && compareQuantities(requested, limited) > 0) {
        ctx.addIssue({
          code: "custom",
          input: request,
          path: ["requests", resource],
          message: `must not exceed limits.${resource} (${limit})`,
        });
      }
    }
  });
}

function workload(defaults: { image: string; resources: ResourceDefaults }) {
  return {
    image: image(defaults.image),
    imagePullPolicy: oneOf(["Always", "IfNotPresent", "Never"], "IfNotPresent"),
    resources: resources(defaults.resources),
  };
}

/** The schema of the whole `pod-to-pod` namespace of the stack's config. */
export const labConfigSchema = z
  .strictObject({
    // The default is the walkthrough's: a second stack left on it is refused (another stack's lab
    // holds it) with the key to set, never given the first stack's lab (components/labClaim.ts).
    namespace: z
      .string()
      .regex(DNS_LABEL, {
        error:
          "expected a DNS label: lowercase letters, digits and '-', starting and ending alphanumeric",
      })
      .max(63, { error: "expected a DNS label of at most 63 characters" })
      .default("pod-to-pod"),
    createNamespace: flag(true),
    nginx: settings({
      ...workload({
        image: "nginx:1.28.0",
        resources: {
          requests: { cpu: "50m", memory: "32Mi" },
          limits: { cpu: "250m", memory: "64Mi" },
        },
      }),
      port: integer(1, 65535, 80),
    }),
    busybox: settings(
      workload({
        image: "busybox:1.37.0",
        resources: {
          requests: { cpu: "10m", memory: "8Mi" },
          // The client idles, then runs every probe of a check at once: a tenth of a CPU throttled
          // that burst (some 90 ms of CPU, a kubectl exec's own included) to over a second.
          limits: { cpu: "1", memory: "32Mi" },
        },
      }),
    ),
    servicePort: integer(1, 65535, 80),
    placement: oneOf(["any", "same-node", "different-nodes"], "any"),
    networkPolicy: flag(true),
    coverage: oneOf(["pair", "every-node"], "pair"),
    mesh: settings({
      parallelism: integer(1, 256, 8),
      // The mesh pods' reporter sidecar (components/meshReporting.ts): the official kubectl image.
      reporterImage: image("registry.k8s.io/kubectl:v1.36.1"),
      nodeToPod: flag(true),
      allPairsUpTo: integer(1, 100000, 32),
    }),
    clusterDomain: domain("cluster.local"),
    podReadyTimeoutSeconds: integer(10, 3600, 300),
    checks: settings({
      pingCount: integer(1, 100, 4),
      timeoutSeconds: integer(1, 60, 5),
      reportOnly: flag(false),
    }),
  })
  .superRefine((config, ctx) => {
    // The mesh's echo servers serve the nodes on a port of their own: nginx's must be another.
    if (config.coverage === "every-node" && config.nginx.port === MESH_NODE_PORT) {
      ctx.addIssue({
        code: "custom",
        input: config.nginx.port,
        path: ["nginx", "port"],
        message: `must not be ${MESH_NODE_PORT} with coverage every-node: the mesh's echo servers serve the nodes on that port`,
      });
    }
    // The checks resolve `<service>.<namespace>.svc.<domain>`, which must be a DNS name too (a
    // namespace or domain that is not valid on its own has its problem named already).
    const room = clusterDomainRoom(config.namespace);
    const bothValid =
      dnsNameProblem(config.clusterDomain) === undefined &&
      DNS_LABEL.test(config.namespace) &&
      config.namespace.length <= DNS_LABEL_MAX;
    if (bothValid && config.clusterDomain.length > room) {
      ctx.addIssue({
        code: "custom",
        input: config.clusterDomain,
        path: ["clusterDomain"],
        message: `expected a domain that leaves room for the lab's Service names: <service>.<namespace>.svc.<domain> must fit in ${DNS_NAME_MAX} characters, so with a Service name of up to ${DNS_LABEL_MAX} characters and the namespace "${config.namespace}" the domain has at most ${room} characters (this one has ${config.clusterDomain.length})`,
      });
    }
  })
  // A built-in namespace always exists and outlives the stack: it is used, never created.
  .transform((config) => ({
    ...config,
    createNamespace: config.createNamespace && !BUILTIN_NAMESPACES.includes(config.namespace),
  }));

/** The whole validated configuration of the lab. */
export type LabConfig = z.output<typeof labConfigSchema>;
/** Image, pull policy and resources of one workload. */
export type WorkloadSettings = LabConfig["busybox"];
/** CPU and memory for one container. */
export type ResourceSettings = WorkloadSettings["resources"];
/** Where the client runs relative to the server. */
export type Placement = LabConfig["placement"];
/** Which paths the checks prove: the walkthrough's pair, or every node's. */
export type Coverage = LabConfig["coverage"];
/** The every-node mesh's knobs. */
export type MeshSettings = LabConfig["mesh"];
/** The connectivity check's knobs. */
export type CheckSettings = LabConfig["checks"];

/** The keys of the `pod-to-pod` config namespace, in declaration order. */
export const LAB_CONFIG_KEYS = Object.keys(labConfigSchema.in.shape) as ReadonlyArray<
  keyof typeof labConfigSchema.in.shape
>;

/** What an empty stack config gives. */
export const DEFAULTS: LabConfig = labConfigSchema.parse({});
