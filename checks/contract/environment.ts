import { z } from "zod";
import { MeshPlan } from "./meshTypes";
import { CheckPlan, PolicyPlan, RunPlan } from "./types";

/**
 * The contract between the ConnectivityCheck component and the runner it starts: the whole plan
 * (the pair, the stranger, the mesh) travels as environment variables, one per value, so the
 * command line stays short and each value shows in `pulumi preview` as an ordinary, diffable
 * input. One codec, one table: a part the lab does not have sets no variable, so a pair lab's
 * inputs are exactly what they were. Nothing secret goes here.
 */

type Kind = "text" | "count" | "optional";

/** Each part's fields, the variable each travels in, and what kind of value it is. */
const TABLE = {
  pair: {
    namespace: ["POD_TO_POD_NAMESPACE", "text"],
    serverPod: ["POD_TO_POD_SERVER_POD", "text"],
    serverPodUid: ["POD_TO_POD_SERVER_UID", "text"],
    clientPod: ["POD_TO_POD_CLIENT_POD", "text"],
    clientContainer: ["POD_TO_POD_CLIENT_CONTAINER", "text"],
    serviceName: ["POD_TO_POD_SERVICE", "text"],
    serverPodIp: ["POD_TO_POD_SERVER_IP", "text"],
    clientPodIp: ["POD_TO_POD_CLIENT_IP", "text"],
    serverNode: ["POD_TO_POD_SERVER_NODE", "text"],
    clientNode: ["POD_TO_POD_CLIENT_NODE", "text"],
    serviceClusterIp: ["POD_TO_POD_SERVICE_IP", "text"],
    servicePort: ["POD_TO_POD_SERVICE_PORT", "count"],
    serverPort: ["POD_TO_POD_SERVER_PORT", "count"],
    clusterDomain: ["POD_TO_POD_CLUSTER_DOMAIN", "text"],
    pingCount: ["POD_TO_POD_PING_COUNT", "count"],
    timeoutSeconds: ["POD_TO_POD_TIMEOUT_SECONDS", "count"],
  } satisfies Record<Exclude<keyof CheckPlan, "policy">, [string, Kind]>,
  policy: {
    strangerPod: ["POD_TO_POD_STRANGER_POD", "text"],
    strangerContainer: ["POD_TO_POD_STRANGER_CONTAINER", "text"],
    denyBoundSeconds: ["POD_TO_POD_DENY_BOUND_SECONDS", "count"],
  } satisfies Record<keyof PolicyPlan, [string, Kind]>,
  mesh: {
    namespace: ["POD_TO_POD_MESH_NAMESPACE", "text"],
    echoSelector: ["POD_TO_POD_MESH_ECHO_SELECTOR", "text"],
    clientSelector: ["POD_TO_POD_MESH_CLIENT_SELECTOR", "text"],
    nodeProbeSelector: ["POD_TO_POD_MESH_NODE_PROBE_SELECTOR", "optional"],
    clientContainer: ["POD_TO_POD_MESH_CLIENT_CONTAINER", "text"],
    nodeProbeContainer: ["POD_TO_POD_MESH_NODE_PROBE_CONTAINER", "text"],
    serviceName: ["POD_TO_POD_MESH_SERVICE", "text"],
    servicePort: ["POD_TO_POD_MESH_SERVICE_PORT", "count"],
    echoPort: ["POD_TO_POD_MESH_ECHO_PORT", "count"],
    nodePort: ["POD_TO_POD_MESH_NODE_PORT", "count"],
    clusterDomain: ["POD_TO_POD_MESH_CLUSTER_DOMAIN", "text"],
    timeoutSeconds: ["POD_TO_POD_MESH_TIMEOUT_SECONDS", "count"],
    parallelism: ["POD_TO_POD_MESH_PARALLELISM", "count"],
  } satisfies Record<keyof MeshPlan, [string, Kind]>,
  options: {
    kubeContext: ["POD_TO_POD_KUBE_CONTEXT", "optional"],
    reportOnly: ["POD_TO_POD_REPORT_ONLY", "text"],
    kubeconfigOnStdin: ["POD_TO_POD_KUBECONFIG_ON_STDIN", "optional"],
    runnerVersion: ["POD_TO_POD_RUNNER_VERSION", "text"],
  },
} as const;

/** How the runner reaches the cluster and what it does on failure. */
export interface RunnerOptions {
  /** kubectl context, when the kubernetes provider is pinned to one. */
  readonly kubeContext?: string;
  /** Report failures but exit 0. */
  readonly reportOnly: boolean;
  /** `kubernetes:kubeconfig` (a path or contents) arrives on stdin. */
  readonly kubeconfigOnStdin?: boolean;
  /** The runner's version (see runnerVersion), reported with the verdict. */
  readonly runnerVersion: string;
}

type Part = keyof typeof TABLE;

function encode(part: Part, values: object, env: Record<string, string>): void {
  for (const [field, [key]] of Object.entries(TABLE[part])) {
    const value = (values as Record<string, unknown>)[field];
    if (value !== undefined) {
      env[key] = String(value);
    }
  }
}

/** Encodes a plan and the runner's options as environment variables. */
export function toEnvironment(plan: RunPlan, options: RunnerOptions): Record<string, string> {
  const env: Record<string, string> = {};
  encode("pair", plan.pair, env);
  if (plan.pair.policy) {
    encode("policy", plan.pair.policy, env);
  }
  if (plan.mesh) {
    encode("mesh", plan.mesh, env);
  }
  encode(
    "options",
    {
      ...options,
      reportOnly: options.reportOnly,
      kubeconfigOnStdin: options.kubeconfigOnStdin ? true : undefined,
    },
    env,
  );
  return env;
}

const COUNT = z.coerce.number().int().positive();

/** Decodes one part, adding a line per missing or malformed variable to `problems`. */
function decode(part: Part, env: NodeJS.ProcessEnv, problems: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [field, [key, kind]] of Object.entries(TABLE[part]) as Array<
    [string, [string, Kind]]
  >) {
    const value = env[key];
    if (value === undefined || value === "") {
      if (kind !== "optional") {
        problems.push(`${key} is not set`);
      }
    } else if (kind === "count") {
      const parsed = COUNT.safeParse(value);
      if (parsed.success) {
        values[field] = parsed.data;
      } else {
        problems.push(`${key}="${value}" is not a positive whole number`);
      }
    } else {
      values[field] = value;
    }
  }
  return values;
}

/** Whether any variable of a part is set: the lab has that part. */
function present(part: Part, env: NodeJS.ProcessEnv): boolean {
  return Object.values(TABLE[part]).some(([key]) => env[key] !== undefined && env[key] !== "");
}

/** Decodes what toEnvironment wrote; throws naming every missing or malformed variable. */
export function fromEnvironment(env: NodeJS.ProcessEnv): { plan: RunPlan; options: RunnerOptions } {
  const problems: string[] = [];
  const pair = decode("pair", env, problems);
  const policy = present("policy", env) ? decode("policy", env, problems) : undefined;
  const mesh = present("mesh", env) ? decode("mesh", env, problems) : undefined;
  const options = decode("options", env, problems);
  if (problems.length > 0) {
    throw new Error(`The check runner's environment is incomplete: ${problems.join("; ")}.`);
  }
  return {
    plan: {
      pair: {
        ...(pair as unknown as CheckPlan),
        ...(policy ? { policy: policy as unknown as PolicyPlan } : {}),
      },
      ...(mesh ? { mesh: mesh as unknown as MeshPlan } : {}),
    },
    options: {
      ...(options.kubeContext ? { kubeContext: options.kubeContext as string } : {}),
      reportOnly: options.reportOnly === "true",
      ...(options.kubeconfigOnStdin === "true" ? { kubeconfigOnStdin: true } : {}),
      runnerVersion: options.runnerVersion as string,
    },
  };
}
