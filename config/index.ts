import * as pulumi from "@pulumi/pulumi";
import { describeProblems } from "./problems";
import { LAB_CONFIG_KEYS, LabConfig, labConfigSchema } from "./schema";

export * from "./kubeAccess";
export * from "./schema";

/** The raw `pod-to-pod:*` values, as read from the stack: strings, objects already parsed. */
export type RawLabConfig = Partial<Record<(typeof LAB_CONFIG_KEYS)[number], unknown>>;

/**
 * Validates the raw configuration. A mistake is a pulumi.RunError listing every bad key, the value
 * given and what is accepted: the CLI prints it as a message, before any resource is registered.
 */
export function parseLabConfig(raw: RawLabConfig): LabConfig {
  const result = labConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) {
    return result.data;
  }
  const problems = describeProblems(result.error, "pod-to-pod");
  throw new pulumi.RunError(
    `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`,
  );
}

function objectOrText(text: string | undefined): unknown {
  if (text === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: let the schema name the key and the shape it wants.
    return text;
  }
}

/**
 * Gathers the raw `pod-to-pod:*` values from any source of strings: the Pulumi config in the
 * program, or the CLI's `pulumi config --json` in `npm run verify`.
 */
export function readRawLabConfig(get: (key: string) => string | undefined): RawLabConfig {
  const raw: Record<string, unknown> = {};
  for (const key of LAB_CONFIG_KEYS) {
    const text = get(key);
    if (text !== undefined) {
      // Objects arrive as JSON; a scalar stays the string Pulumi stored.
      raw[key] = text.trim().startsWith("{") ? objectOrText(text) : text;
    }
  }
  return raw;
}

/** Reads the stack's `pod-to-pod:*` configuration once and validates it. */
export function loadLabConfig(): LabConfig {
  const config = new pulumi.Config("pod-to-pod");
  return parseLabConfig(readRawLabConfig((key) => config.get(key)));
}
