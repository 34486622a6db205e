import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** CPU and memory for one container. */
export interface ResourceSettings {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Image, pull policy and resources of one workload. */
export interface WorkloadSettings {
  readonly image: string;
  readonly imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  readonly resources: ResourceSettings;
}

/** Where the client runs relative to the server. */
export type Placement = "any" | "same-node" | "different-nodes";

/** The connectivity check's knobs. */
export interface CheckSettings {
  /** Packets in the ping check. */
  readonly pingCount: number;
  /** Upper bound for each network probe, in seconds. */
  readonly timeoutSeconds: number;
  /** Report failed checks without failing `pulumi up`. */
  readonly reportOnly: boolean;
}

/** The whole validated configuration of the lab. */
export interface LabConfig {
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly nginx: WorkloadSettings & { readonly port: number };
  readonly busybox: WorkloadSettings;
  readonly servicePort: number;
  readonly placement: Placement;
  readonly clusterDomain: string;
  readonly podReadyTimeoutSeconds: number;
  readonly checks: CheckSettings;
}

/** The configuration as the user wrote it: every value still unchecked. */
export interface RawLabConfig {
  readonly namespace?: string;
  readonly createNamespace?: string;
  readonly nginx?: unknown;
  readonly busybox?: unknown;
  readonly servicePort?: string;
  readonly placement?: string;
  readonly clusterDomain?: string;
  readonly podReadyTimeoutSeconds?: string;
  readonly checks?: unknown;
}

/** Namespaces Kubernetes creates itself: the program uses them but never creates them. */
export const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

const PLACEMENTS: readonly Placement[] = ["any", "same-node", "different-nodes"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"] as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// registry/path:tag@digest, after the reference grammar of the distribution project.
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const CPU_QUANTITY = /^(\d+m|\d+(\.\d+)?)$/;
const MEMORY_QUANTITY = /^\d+(Ki|Mi|Gi|K|M|G)?$/;

/** The defaults: what a user of a k3s VM gets with an empty stack config. */
export const DEFAULTS = {
  namespace: "pod-to-pod",
  nginx: {
    image: "nginx:1.28.0",
    imagePullPolicy: "IfNotPresent",
    port: 80,
    resources: {
      requests: { cpu: "50m", memory: "32Mi" },
      limits: { cpu: "250m", memory: "64Mi" },
    },
  },
  busybox: {
    image: "busybox:1.37.0",
    imagePullPolicy: "IfNotPresent",
    resources: { requests: { cpu: "10m", memory: "8Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
  },
  servicePort: 80,
  placement: "any",
  clusterDomain: "cluster.local",
  podReadyTimeoutSeconds: 300,
  checks: { pingCount: 4, timeoutSeconds: 5, reportOnly: false },
} as const;

/** Collects every problem in a config so the user fixes them all in one go. */
class Problems {
  readonly list: string[] = [];
  add(key: string, value: unknown, accepted: string): void {
    this.list.push(`pod-to-pod:${key} = ${JSON.stringify(value)} is not valid: ${accepted}`);
  }
}

function wholeNumber(
  problems: Problems,
  key: string,
  raw: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) {
    return fallback;
  }
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    problems.add(key, raw, `expected a whole number from ${min} to ${max}`);
    return fallback;
  }
  return value;
}

function boolean(problems: Problems, key: string, raw: unknown, fallback: boolean): boolean {
  if (raw === undefined) {
    return fallback;
  }
  if (raw === true || raw === "true") {
    return true;
  }
  if (raw === false || raw === "false") {
    return false;
  }
  problems.add(key, raw, "expected true or false");
  return fallback;
}

function objectOf(
  problems: Problems,
  key: string,
  raw: unknown,
  allowed: readonly string[],
): Record<string, unknown> {
  if (raw === undefined) {
    return {};
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.add(key, raw, `expected an object with keys ${allowed.join(", ")}`);
    return {};
  }
  for (const unknownKey of Object.keys(raw).filter((k) => !allowed.includes(k))) {
    problems.add(
      `${key}.${unknownKey}`,
      (raw as Record<string, unknown>)[unknownKey],
      `unknown key; ${key} accepts ${allowed.join(", ")}`,
    );
  }
  return raw as Record<string, unknown>;
}

function quantity(
  problems: Problems,
  key: string,
  raw: unknown,
  fallback: string,
  pattern: RegExp,
  example: string,
): string {
  if (raw === undefined) {
    return fallback;
  }
  if (typeof raw !== "string" || !pattern.test(raw)) {
    problems.add(key, raw, `expected a Kubernetes quantity such as ${example}`);
    return fallback;
  }
  return raw;
}

function cpuMillis(q: string): number {
  return q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

function memoryBytes(q: string): number {
  const units: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    K: 1e3,
    M: 1e6,
    G: 1e9,
  };
  const match = /^(\d+)(\D*)$/.exec(q);
  return match ? Number(match[1]) * (units[match[2]] ?? 1) : NaN;
}

function resources(
  problems: Problems,
  key: string,
  raw: unknown,
  fallback: ResourceSettings,
): ResourceSettings {
  const top = objectOf(problems, key, raw, ["requests", "limits"]);
  const read = (kind: "requests" | "limits") => {
    const part = objectOf(problems, `${key}.${kind}`, top[kind], ["cpu", "memory"]);
    return {
      cpu: quantity(
        problems,
        `${key}.${kind}.cpu`,
        part.cpu,
        fallback[kind].cpu,
        CPU_QUANTITY,
        `"100m" or "0.5"`,
      ),
      memory: quantity(
        problems,
        `${key}.${kind}.memory`,
        part.memory,
        fallback[kind].memory,
        MEMORY_QUANTITY,
        `"64Mi"`,
      ),
    };
  };
  const result = { requests: read("requests"), limits: read("limits") };
  if (cpuMillis(result.requests.cpu) > cpuMillis(result.limits.cpu)) {
    problems.add(
      `${key}.requests.cpu`,
      result.requests.cpu,
      `must not exceed limits.cpu (${result.limits.cpu})`,
    );
  }
  if (memoryBytes(result.requests.memory) > memoryBytes(result.limits.memory)) {
    problems.add(
      `${key}.requests.memory`,
      result.requests.memory,
      `must not exceed limits.memory (${result.limits.memory})`,
    );
  }
  return result;
}

function workload(
  problems: Problems,
  key: string,
  raw: unknown,
  fallback: WorkloadSettings,
  extraKeys: readonly string[],
): WorkloadSettings & { extra: Record<string, unknown> } {
  const obj = objectOf(problems, key, raw, ["image", "imagePullPolicy", "resources", ...extraKeys]);
  let image = fallback.image;
  if (obj.image !== undefined) {
    if (typeof obj.image === "string" && IMAGE_REFERENCE.test(obj.image)) {
      image = obj.image;
    } else {
      problems.add(
        `${key}.image`,
        obj.image,
        "expected an image reference such as nginx:1.28.0 or registry.example/nginx@sha256:<64 hex>",
      );
    }
  }
  let imagePullPolicy = fallback.imagePullPolicy;
  if (obj.imagePullPolicy !== undefined) {
    if (PULL_POLICIES.includes(obj.imagePullPolicy as (typeof PULL_POLICIES)[number])) {
      imagePullPolicy = obj.imagePullPolicy as WorkloadSettings["imagePullPolicy"];
    } else {
      problems.add(
        `${key}.imagePullPolicy`,
        obj.imagePullPolicy,
        `expected one of ${PULL_POLICIES.join(", ")}`,
      );
    }
  }
  return {
    image,
    imagePullPolicy,
    resources: resources(problems, `${key}.resources`, obj.resources, fallback.resources),
    extra: obj,
  };
}

/**
 * Validates the raw configuration. Throws one Error that lists every bad key, the value given and
 * what is accepted, so `pulumi preview` fails before any resource is registered.
 */
export function parseLabConfig(raw: RawLabConfig): LabConfig {
  const problems = new Problems();

  const namespace = raw.namespace ?? DEFAULTS.namespace;
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) {
    problems.add(
      "namespace",
      namespace,
      "expected a DNS label: lowercase letters, digits and '-', at most 63 characters, starting and ending alphanumeric",
    );
  }
  const createNamespace = boolean(
    problems,
    "createNamespace",
    raw.createNamespace,
    !BUILTIN_NAMESPACES.includes(namespace),
  );
  if (createNamespace && BUILTIN_NAMESPACES.includes(namespace)) {
    problems.add(
      "createNamespace",
      raw.createNamespace,
      `Kubernetes owns the namespace "${namespace}"; set createNamespace to false to use it`,
    );
  }

  const nginxRaw = workload(problems, "nginx", raw.nginx, DEFAULTS.nginx, ["port"]);
  const nginxPort = wholeNumber(
    problems,
    "nginx.port",
    nginxRaw.extra.port,
    DEFAULTS.nginx.port,
    1,
    65535,
  );
  const { extra: _nginxExtra, ...nginx } = nginxRaw;
  const { extra: _busyboxExtra, ...busybox } = workload(
    problems,
    "busybox",
    raw.busybox,
    DEFAULTS.busybox,
    [],
  );

  const servicePort = wholeNumber(
    problems,
    "servicePort",
    raw.servicePort,
    DEFAULTS.servicePort,
    1,
    65535,
  );

  const placement = (raw.placement ?? DEFAULTS.placement) as Placement;
  if (!PLACEMENTS.includes(placement)) {
    problems.add("placement", raw.placement, `expected one of ${PLACEMENTS.join(", ")}`);
  }

  const clusterDomain = raw.clusterDomain ?? DEFAULTS.clusterDomain;
  if (!DNS_SUBDOMAIN.test(clusterDomain)) {
    problems.add("clusterDomain", clusterDomain, "expected a DNS domain such as cluster.local");
  }

  const podReadyTimeoutSeconds = wholeNumber(
    problems,
    "podReadyTimeoutSeconds",
    raw.podReadyTimeoutSeconds,
    DEFAULTS.podReadyTimeoutSeconds,
    10,
    3600,
  );

  const checksRaw = objectOf(problems, "checks", raw.checks, [
    "pingCount",
    "timeoutSeconds",
    "reportOnly",
  ]);
  const checks: CheckSettings = {
    pingCount: wholeNumber(
      problems,
      "checks.pingCount",
      checksRaw.pingCount,
      DEFAULTS.checks.pingCount,
      1,
      100,
    ),
    timeoutSeconds: wholeNumber(
      problems,
      "checks.timeoutSeconds",
      checksRaw.timeoutSeconds,
      DEFAULTS.checks.timeoutSeconds,
      1,
      60,
    ),
    reportOnly: boolean(
      problems,
      "checks.reportOnly",
      checksRaw.reportOnly,
      DEFAULTS.checks.reportOnly,
    ),
  };

  if (problems.list.length > 0) {
    throw new Error(
      `Invalid configuration (${problems.list.length} problem${problems.list.length === 1 ? "" : "s"}):\n  - ${problems.list.join("\n  - ")}`,
    );
  }
  return {
    namespace,
    createNamespace,
    nginx: { ...nginx, port: nginxPort },
    busybox,
    servicePort,
    placement,
    clusterDomain,
    podReadyTimeoutSeconds,
    checks,
  };
}

function objectOrText(text: string | undefined): unknown {
  if (text === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    // A plain string where an object belongs: let validation name the key and the shape it wants.
    return text;
  }
}

/**
 * Gathers the raw `pod-to-pod:*` values from any source of strings: the Pulumi config here, the
 * CLI's `pulumi config --json` in `npm run verify`, or a JSON object in the no-toolchain deploy.
 */
export function readRawLabConfig(get: (key: string) => string | undefined): RawLabConfig {
  return {
    namespace: get("namespace"),
    createNamespace: get("createNamespace"),
    nginx: objectOrText(get("nginx")),
    busybox: objectOrText(get("busybox")),
    servicePort: get("servicePort"),
    placement: get("placement"),
    clusterDomain: get("clusterDomain"),
    podReadyTimeoutSeconds: get("podReadyTimeoutSeconds"),
    checks: objectOrText(get("checks")),
  };
}

/** Reads the stack's `pod-to-pod:*` configuration once and validates it. */
export function loadLabConfig(): LabConfig {
  const config = new pulumi.Config();
  return parseLabConfig(readRawLabConfig((key) => config.get(key)));
}

/** How kubectl reaches the cluster the kubernetes provider uses. */
export interface KubeAccess {
  /** A kubeconfig file for kubectl: `kubernetes:kubeconfig` itself when it is a path. */
  readonly kubeconfigPath?: string;
  /** `kubernetes:context`. */
  readonly context?: string;
}

/**
 * The file kubectl should read for a `kubernetes:kubeconfig` value: the value itself when it is a
 * path; when it holds the kubeconfig itself, a private file (mode 0600) written with it, so the
 * contents never reach a command line, an input or an output.
 */
export function kubeconfigFile(value: string): string {
  if (!/^\s*(\{|apiVersion:|clusters:|kind:)/m.test(value)) {
    return value;
  }
  const digest = crypto.createHash("sha256").update(value).digest("hex").slice(0, 12);
  const file = path.join(os.tmpdir(), `pod-to-pod-kubeconfig-${digest}.yaml`);
  fs.writeFileSync(file, value, { mode: 0o600 });
  return file;
}

/** Reads the kubernetes provider's own config keys, so kubectl follows the provider. */
export function loadKubeAccess(): KubeAccess {
  const config = new pulumi.Config("kubernetes");
  const kubeconfig = config.get("kubeconfig");
  const context = config.get("context");
  return {
    ...(kubeconfig ? { kubeconfigPath: kubeconfigFile(kubeconfig) } : {}),
    ...(context ? { context } : {}),
  };
}
