/** The label every resource of the lab carries, so they can be found and cleaned up together. */
export const PART_OF = "pod-to-pod";

/** Labels for one workload: the walkthrough's `app` label plus the recommended app.kubernetes.io set. */
export function workloadLabels(app: string, component: string): Record<string, string> {
  return {
    app,
    "app.kubernetes.io/name": app,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** The subset of a workload's labels that identifies its pods: what Services and affinities select on. */
export function selectorOf(labels: Record<string, string>): Record<string, string> {
  const { app, "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": partOf } = labels;
  return { app, "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": partOf };
}
