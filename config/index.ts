import * as pulumi from "@pulumi/pulumi";
import { describeProblems } from "./problems";
import { DEFAULTS, LabConfig, labConfigSchema } from "./schema";

export * from "./kubeAccess";
export * from "./schema";

/** The raw `pod-to-pod:*` values, as read from the stack: strings, objects already parsed. */
export type RawLabConfig = Record<string, unknown>;

/** The config namespace of the lab's own keys. */
export const LAB_NAMESPACE = "pod-to-pod";

/** The keys accepted at a path of the config, read off the defaults (every key has one). */
function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  let node: unknown = DEFAULTS;
  for (const part of path) {
    // Own keys only: `constructor` or `__proto__` leads to no settings.
    node =
      node && typeof node === "object" && Object.prototype.hasOwnProperty.call(node, part)
        ? (node as Record<PropertyKey, unknown>)[part]
        : undefined;
  }
  return node && typeof node === "object" ? Object.keys(node) : [];
}

/**
 * Validates the raw configuration. A mistake is a pulumi.RunError listing every bad key, the value
 * given and what is accepted: the CLI prints it as a message, before any resource is registered.
 * A key that does not exist is a mistake too: ignored, it would leave its default in silence.
 */
export function parseLabConfig(raw: RawLabConfig): LabConfig {
  const result = labConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) {
    return result.data;
  }
  const problems = describeProblems(result.error, LAB_NAMESPACE, knownKeysAt);
  throw new pulumi.RunError(
    `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`,
  );
}

/**
 * Validates a PodToPodLab's arguments by the same schema as the stack's config: a mistake is an
 * Error listing every bad argument (`nginx.port`), the value given and what is accepted.
 * `component` names the lab in the message (`PodToPodLab "edge"`).
 */
export function parseLabArgs(component: string, args: RawLabConfig): LabConfig {
  const result = labConfigSchema.safeParse(args, { reportInput: true });
  if (result.success) {
    return result.data;
  }
  const problems = describeProblems(result.error, component, knownKeysAt, "args");
  throw new pulumi.RunError(
    `Invalid arguments of ${component} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`,
  );
}

function objectOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: let the schema name the key and the shape it wants.
    return text;
  }
}

/**
 * Gathers every `pod-to-pod:*` value from a stack's whole config (`namespace:key` → the string
 * Pulumi stores): in the program, `pulumi.runtime.allConfig()`; in `npm run verify`, the CLI's
 * `pulumi config --json`. Keys the lab does not know are kept, for parseLabConfig to name.
 */
export function readRawLabConfig(all: Readonly<Record<string, string>>): RawLabConfig {
  const prefix = `${LAB_NAMESPACE}:`;
  // Built from entries, each key an own property: an assignment to `raw["__proto__"]` would set
  // the object's prototype instead, whose keys the schema would then read as settings, unnamed.
  return Object.fromEntries(
    Object.entries(all)
      .filter(([fullKey]) => fullKey.startsWith(prefix))
      .map(([fullKey, text]) => [
        fullKey.slice(prefix.length),
        // Objects arrive as JSON; a scalar stays the string Pulumi stored.
        text.trim().startsWith("{") ? objectOrText(text) : text,
      ]),
  );
}

/** Reads the stack's `pod-to-pod:*` configuration once and validates it. */
export function loadLabConfig(): LabConfig {
  return parseLabConfig(readRawLabConfig(pulumi.runtime.allConfig()));
}
