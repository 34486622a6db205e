import { z } from "zod";

/**
 * One line per problem, each naming the key as the user writes it (`pod-to-pod:nginx.port`), the
 * value given and what is accepted. Every problem is listed, so one edit fixes them all.
 */
export function describeProblems(error: z.ZodError, namespace: string): string[] {
  const key = (path: readonly PropertyKey[]) => `${namespace}:${path.map(String).join(".")}`;
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      const given = (issue.input ?? {}) as Record<string, unknown>;
      return issue.keys.map(
        (name) =>
          `${key([...issue.path, name])} = ${JSON.stringify(given[name])} is not valid: ${issue.message}`,
      );
    }
    return [`${key(issue.path)} = ${JSON.stringify(issue.input)} is not valid: ${issue.message}`];
  });
}
