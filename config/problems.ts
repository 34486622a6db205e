import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";

/** The keys a config object accepts at a path (`[]` for the namespace's own keys). */
export type KnownKeys = (path: readonly PropertyKey[]) => readonly string[];

/**
 * How problems name keys: as stack config (`pod-to-pod:nginx.port`, with the `pulumi config` hints a
 * config key needs), or as a component's arguments (`nginx.port`).
 */
export type KeyStyle = "config" | "args";

/**
 * What to tell someone who wrote a key that does not exist. A dotted config key whose first part is
 * a known key is what `pulumi config set` without `--path` makes: a key literally named so.
 * Otherwise the closest known key is suggested, when it is close.
 */
function unknownKey(
  namespace: string,
  path: readonly PropertyKey[],
  name: string,
  known: readonly string[],
  style: KeyStyle,
): string {
  const where = [...path.map(String)];
  const qualified = (parts: readonly string[]) =>
    style === "config" ? `${namespace}:${parts.join(".")}` : parts.join(".");
  const dot = name.indexOf(".");
  if (style === "config" && dot > 0 && known.includes(name.slice(0, dot))) {
    const full = qualified([...where, name]);
    return `this is one key literally named "${name}", which nothing reads: to set ${name.slice(dot + 1)} inside ${qualified([...where, name.slice(0, dot)])}, run pulumi config rm '${full}' and then pulumi config set --path '${full}' <value>`;
  }
  const nearest = known.length > 0 ? closest(name, [...known]) : undefined;
  const scope =
    style === "config"
      ? `the keys${where.length ? ` of ${namespace}:${where.join(".")}` : ` of ${namespace}`}`
      : where.length
        ? `the keys of ${where.join(".")}`
        : `the arguments of ${namespace}`;
  const keys = `${scope} are ${known.join(", ")}`;
  return nearest !== undefined &&
    distance(name, nearest) <= Math.max(2, Math.floor(name.length / 3))
    ? `unknown key; did you mean ${qualified([...where, nearest])}? (${keys})`
    : `unknown key; ${keys}`;
}

/** A value as a problem shows it: as JSON, but for what JSON cannot show (Infinity, NaN, 10n). */
function shown(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return String(value);
  }
  if (typeof value === "bigint") {
    return `${value}n`;
  }
  return (
    JSON.stringify(value, (_, nested: unknown) =>
      typeof nested === "bigint" ? `${nested}n` : nested,
    ) ?? String(value)
  );
}

/**
 * One line per problem, each naming the key as the user writes it (`pod-to-pod:nginx.port` in
 * config, `nginx.port` in a component's arguments), the value given and what is accepted. Every
 * problem is listed, so one edit fixes them all. `namespace` is the config namespace, or for
 * arguments the component they are given to.
 */
export function describeProblems(
  error: z.ZodError,
  namespace: string,
  knownKeys: KnownKeys,
  style: KeyStyle = "config",
): string[] {
  const key = (path: readonly PropertyKey[]) =>
    style === "config" ? `${namespace}:${path.map(String).join(".")}` : path.map(String).join(".");
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      const given = (issue.input ?? {}) as Record<string, unknown>;
      return issue.keys.map(
        (name) =>
          `${key([...issue.path, name])} = ${shown(given[name])} is not valid: ${unknownKey(namespace, issue.path, name, knownKeys(issue.path), style)}`,
      );
    }
    return [`${key(issue.path)} = ${shown(issue.input)} is not valid: ${issue.message}`];
  });
}
