import { CheckPlan } from "./types";

/**
 * The contract between the ConnectivityCheck component and the runner it starts: the plan travels
 * as environment variables, so the command line stays short and the values show in `pulumi preview`
 * as ordinary, diffable inputs. Nothing secret goes here.
 */
const KEYS = {
  namespace: "POD_TO_POD_NAMESPACE",
  serverPod: "POD_TO_POD_SERVER_POD",
  serverPodUid: "POD_TO_POD_SERVER_UID",
  clientPod: "POD_TO_POD_CLIENT_POD",
  clientContainer: "POD_TO_POD_CLIENT_CONTAINER",
  serviceName: "POD_TO_POD_SERVICE",
  serverPodIp: "POD_TO_POD_SERVER_IP",
  clientPodIp: "POD_TO_POD_CLIENT_IP",
  serverNode: "POD_TO_POD_SERVER_NODE",
  clientNode: "POD_TO_POD_CLIENT_NODE",
  serviceClusterIp: "POD_TO_POD_SERVICE_IP",
  servicePort: "POD_TO_POD_SERVICE_PORT",
  serverPort: "POD_TO_POD_SERVER_PORT",
  clusterDomain: "POD_TO_POD_CLUSTER_DOMAIN",
  pingCount: "POD_TO_POD_PING_COUNT",
  timeoutSeconds: "POD_TO_POD_TIMEOUT_SECONDS",
} as const satisfies Record<Exclude<keyof CheckPlan, "policy">, string>;

const NUMERIC: ReadonlyArray<keyof CheckPlan> = [
  "servicePort",
  "serverPort",
  "pingCount",
  "timeoutSeconds",
];

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

const CONTEXT_KEY = "POD_TO_POD_KUBE_CONTEXT";
const REPORT_ONLY_KEY = "POD_TO_POD_REPORT_ONLY";
const KUBECONFIG_ON_STDIN_KEY = "POD_TO_POD_KUBECONFIG_ON_STDIN";
const RUNNER_VERSION_KEY = "POD_TO_POD_RUNNER_VERSION";
// The NetworkPolicy half of the plan, set only when the lab isolates itself.
const POLICY_KEYS = {
  strangerPod: "POD_TO_POD_STRANGER_POD",
  strangerContainer: "POD_TO_POD_STRANGER_CONTAINER",
  denyBoundSeconds: "POD_TO_POD_DENY_BOUND_SECONDS",
} as const;

/** Encodes a plan and runner options as environment variables. */
export function toEnvironment(plan: CheckPlan, options: RunnerOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [field, key] of Object.entries(KEYS) as Array<[keyof typeof KEYS, string]>) {
    env[key] = String(plan[field]);
  }
  if (options.kubeContext) {
    env[CONTEXT_KEY] = options.kubeContext;
  }
  env[REPORT_ONLY_KEY] = String(options.reportOnly);
  if (options.kubeconfigOnStdin) {
    env[KUBECONFIG_ON_STDIN_KEY] = "true";
  }
  env[RUNNER_VERSION_KEY] = options.runnerVersion;
  if (plan.policy) {
    env[POLICY_KEYS.strangerPod] = plan.policy.strangerPod;
    env[POLICY_KEYS.strangerContainer] = plan.policy.strangerContainer;
    env[POLICY_KEYS.denyBoundSeconds] = String(plan.policy.denyBoundSeconds);
  }
  return env;
}

/** Decodes what toEnvironment wrote; throws naming every missing or malformed variable. */
export function fromEnvironment(env: NodeJS.ProcessEnv): {
  plan: CheckPlan;
  options: RunnerOptions;
} {
  const problems: string[] = [];
  const plan: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(KEYS) as Array<[keyof typeof KEYS, string]>) {
    const value = env[key];
    if (value === undefined || value === "") {
      problems.push(`${key} is not set`);
    } else if (NUMERIC.includes(field)) {
      const number = Number(value);
      if (!Number.isInteger(number) || number <= 0) {
        problems.push(`${key}="${value}" is not a positive whole number`);
      }
      plan[field] = number;
    } else {
      plan[field] = value;
    }
  }
  const strangerPod = env[POLICY_KEYS.strangerPod];
  if (strangerPod) {
    const bound = Number(env[POLICY_KEYS.denyBoundSeconds]);
    if (!Number.isInteger(bound) || bound <= 0) {
      problems.push(
        `${POLICY_KEYS.denyBoundSeconds}="${env[POLICY_KEYS.denyBoundSeconds] ?? ""}" is not a positive whole number`,
      );
    }
    plan.policy = {
      strangerPod,
      strangerContainer: env[POLICY_KEYS.strangerContainer] ?? "",
      denyBoundSeconds: bound,
    };
  }
  const runnerVersion = env[RUNNER_VERSION_KEY];
  if (!runnerVersion) {
    problems.push(`${RUNNER_VERSION_KEY} is not set`);
  }
  if (problems.length > 0) {
    throw new Error(`The check runner's environment is incomplete: ${problems.join("; ")}.`);
  }
  const kubeContext = env[CONTEXT_KEY];
  return {
    plan: plan as unknown as CheckPlan,
    options: {
      ...(kubeContext ? { kubeContext } : {}),
      reportOnly: env[REPORT_ONLY_KEY] === "true",
      ...(env[KUBECONFIG_ON_STDIN_KEY] === "true" ? { kubeconfigOnStdin: true } : {}),
      runnerVersion: runnerVersion as string,
    },
  };
}
