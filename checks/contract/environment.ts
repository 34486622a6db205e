import { z } from "zod";
import { meshPlanSchema } from "./meshTypes";
import { Parsed } from "./schemaParts";
import { checkPlanSchema, policyPlanSchema, RunPlan } from "./types";

/**
 * The contract between the ConnectivityCheck component and the runner it starts: the whole plan
 * (the pair, the stranger, the mesh) travels as environment variables, one per value, so the
 * command line stays short and each value shows in `pulumi preview` as an ordinary, diffable
 * input. The plan's schemas give the fields and their types: a part the lab does not have sets no
 * variable, so a pair lab's inputs are exactly what they were. Nothing secret goes here.
 */

const runnerOptionsSchema = z.strictObject({
  /** kubectl context, when the kubernetes provider is pinned to one. */
  kubeContext: z.string().optional(),
  /** Report failures but exit 0. */
  reportOnly: z.boolean(),
  /** `kubernetes:kubeconfig` (a path or contents) arrives on stdin. */
  kubeconfigOnStdin: z.boolean().optional(),
  /** The runner's version (see runnerVersion), reported with the verdict. */
  runnerVersion: z.string(),
});

/** How the runner reaches the cluster and what it does on failure. */
export type RunnerOptions = Parsed<typeof runnerOptionsSchema>;

/** Each part, in order: its schema, and its variables' prefix (mesh.echoPort: ..._MESH_ECHO_PORT). */
const PARTS = {
  pair: [checkPlanSchema.omit({ policy: true }), "POD_TO_POD_"],
  policy: [policyPlanSchema, "POD_TO_POD_"],
  mesh: [meshPlanSchema, "POD_TO_POD_MESH_"],
  options: [runnerOptionsSchema, "POD_TO_POD_"],
} as const;

/** Variables named otherwise than their field, as they always were: a rename is a diff everywhere. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  serverPodUid: "SERVER_UID",
  serverPodIp: "SERVER_IP",
  clientPodIp: "CLIENT_IP",
  serviceClusterIp: "SERVICE_IP",
  serviceName: "SERVICE",
};

type Part = keyof typeof PARTS;

/** A part's fields, each with its variable and its schema. */
function variables(part: Part): Array<[field: string, key: string, schema: z.ZodType]> {
  const [schema, prefix] = PARTS[part];
  return Object.entries(schema.shape).map(([field, fieldSchema]) => [
    field,
    prefix + (SHORT_NAMES[field] ?? field.replace(/[A-Z]/g, "_$&").toUpperCase()),
    fieldSchema,
  ]);
}

/** Encodes a plan and the runner's options as environment variables. */
export function toEnvironment(plan: RunPlan, options: RunnerOptions): Record<string, string> {
  // A kubeconfig that does not come on stdin sets no variable, as before the flag existed.
  const flags = { ...options, kubeconfigOnStdin: options.kubeconfigOnStdin || undefined };
  const parts = { pair: plan.pair, policy: plan.pair.policy, mesh: plan.mesh, options: flags };
  const env: Record<string, string> = {};
  for (const part of Object.keys(PARTS) as Part[]) {
    for (const [field, key] of variables(part)) {
      const value = (parts[part] as Record<string, unknown> | undefined)?.[field];
      if (value !== undefined) {
        env[key] = String(value);
      }
    }
  }
  return env;
}

/** A variable's text as its field's type: a number, a flag, or the text itself. */
function valueOf(schema: z.ZodType, text: string): unknown {
  const type = schema instanceof z.ZodOptional ? schema.unwrap() : schema;
  return type instanceof z.ZodNumber
    ? Number(text)
    : type instanceof z.ZodBoolean
      ? text === "true"
      : text;
}

/** Decodes one part, adding a line per missing or malformed variable to `problems`. */
function decode<P extends Part>(part: P, env: NodeJS.ProcessEnv, problems: string[]) {
  const keys: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [field, key, schema] of variables(part)) {
    keys[field] = key;
    const text = env[key];
    if (text) {
      values[field] = valueOf(schema, text);
    }
  }
  const parsed = PARTS[part][0].safeParse(values);
  for (const issue of parsed.error?.issues ?? []) {
    const key = keys[String(issue.path[0])];
    problems.push(env[key] ? `${key}="${env[key]}" ${issue.message}` : `${key} is not set`);
  }
  return parsed.data as z.output<(typeof PARTS)[P][0]> | undefined;
}

/** Whether any variable of a part is set: the lab has that part. */
function present(part: Part, env: NodeJS.ProcessEnv): boolean {
  return variables(part).some(([, key]) => env[key]);
}

/** Decodes what toEnvironment wrote; throws naming every missing or malformed variable. */
export function fromEnvironment(env: NodeJS.ProcessEnv): { plan: RunPlan; options: RunnerOptions } {
  const problems: string[] = [];
  const pair = decode("pair", env, problems);
  const policy = present("policy", env) ? decode("policy", env, problems) : undefined;
  const mesh = present("mesh", env) ? decode("mesh", env, problems) : undefined;
  const options = decode("options", env, problems);
  if (!pair || !options || problems.length > 0) {
    throw new Error(`The check runner's environment is incomplete: ${problems.join("; ")}.`);
  }
  return {
    plan: { pair: { ...pair, ...(policy ? { policy } : {}) }, ...(mesh ? { mesh } : {}) },
    options,
  };
}
