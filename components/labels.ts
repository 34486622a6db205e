/** The label every resource of the lab carries, so they can be found and cleaned up together. */
export const PART_OF = "pod-to-pod";

/** The recommended label that tells one lab from another in a shared namespace. */
export const INSTANCE_LABEL = "app.kubernetes.io/instance";

/**
 * Labels for one workload: the walkthrough's `app` label plus the recommended app.kubernetes.io set;
 * with an instance (a lab named after its component), `app.kubernetes.io/instance` too.
 */
export function workloadLabels(
  app: string,
  component: string,
  instance?: string,
): Record<string, string> {
  return {
    app,
    "app.kubernetes.io/name": app,
    ...(instance !== undefined ? { [INSTANCE_LABEL]: instance } : {}),
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** The subset of a workload's labels that identifies its pods: what Services and affinities select on. */
export function selectorOf(labels: Record<string, string>): Record<string, string> {
  const { app, "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": partOf } = labels;
  const instance = labels[INSTANCE_LABEL];
  return {
    app,
    "app.kubernetes.io/name": name,
    ...(instance !== undefined ? { [INSTANCE_LABEL]: instance } : {}),
    "app.kubernetes.io/part-of": partOf,
  };
}

/** The labels every object of a lab carries besides its workload's: part-of, and the instance. */
export function labLabels(instance?: string): Record<string, string> {
  return {
    ...(instance !== undefined ? { [INSTANCE_LABEL]: instance } : {}),
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}
