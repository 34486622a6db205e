import { MeshPlan } from "./meshTypes";

/**
 * The mesh's half of the runner's environment (see environment.ts for the pair's): set only with
 * `coverage: every-node`, so a pair lab's command inputs are exactly what they were.
 */
const KEYS = {
  namespace: "POD_TO_POD_MESH_NAMESPACE",
  echoSelector: "POD_TO_POD_MESH_ECHO_SELECTOR",
  clientSelector: "POD_TO_POD_MESH_CLIENT_SELECTOR",
  nodeProbeSelector: "POD_TO_POD_MESH_NODE_PROBE_SELECTOR",
  clientContainer: "POD_TO_POD_MESH_CLIENT_CONTAINER",
  nodeProbeContainer: "POD_TO_POD_MESH_NODE_PROBE_CONTAINER",
  serviceName: "POD_TO_POD_MESH_SERVICE",
  servicePort: "POD_TO_POD_MESH_SERVICE_PORT",
  echoPort: "POD_TO_POD_MESH_ECHO_PORT",
  nodePort: "POD_TO_POD_MESH_NODE_PORT",
  clusterDomain: "POD_TO_POD_MESH_CLUSTER_DOMAIN",
  timeoutSeconds: "POD_TO_POD_MESH_TIMEOUT_SECONDS",
  parallelism: "POD_TO_POD_MESH_PARALLELISM",
} as const satisfies Record<keyof MeshPlan, string>;

const NUMERIC: ReadonlyArray<keyof MeshPlan> = [
  "servicePort",
  "echoPort",
  "nodePort",
  "timeoutSeconds",
  "parallelism",
];
const OPTIONAL: ReadonlyArray<keyof MeshPlan> = ["nodeProbeSelector"];

/** Encodes a mesh plan as environment variables. */
export function meshToEnvironment(plan: MeshPlan): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [field, key] of Object.entries(KEYS) as Array<[keyof MeshPlan, string]>) {
    const value = plan[field];
    if (value !== undefined) {
      env[key] = String(value);
    }
  }
  return env;
}

/**
 * Decodes what meshToEnvironment wrote: undefined when the lab has no mesh (no mesh variable is
 * set); throws naming every missing or malformed variable when it has one.
 */
export function meshFromEnvironment(env: NodeJS.ProcessEnv): MeshPlan | undefined {
  if (!Object.values(KEYS).some((key) => env[key] !== undefined)) {
    return undefined;
  }
  const problems: string[] = [];
  const plan: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(KEYS) as Array<[keyof MeshPlan, string]>) {
    const value = env[key];
    if (value === undefined || value === "") {
      if (!OPTIONAL.includes(field)) {
        problems.push(`${key} is not set`);
      }
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
  if (problems.length > 0) {
    throw new Error(`The check runner's mesh environment is incomplete: ${problems.join("; ")}.`);
  }
  return plan as unknown as MeshPlan;
}
