import { configOf } from "./config";
import { formatLabels, leftToLiveObject, validatePods } from "./pods";
import { ResourceValidationPolicy } from "./types";

/** Config of {@link requiredLabels}. */
export interface RequiredLabelsConfig {
  /** Labels every Pod (and pod template) must carry, with a non-empty value. */
  readonly labels: readonly string[];
}

/** The recommended labels that say what a pod is and what it belongs to. */
export const REQUIRED_LABELS_DEFAULTS: RequiredLabelsConfig = {
  labels: ["app.kubernetes.io/name", "app.kubernetes.io/part-of"],
};

/** Pods and pod templates carry the required labels; a patch only sets none of them empty. */
export const requiredLabels: ResourceValidationPolicy = {
  name: "required-labels",
  description: "Pods carry the labels app.kubernetes.io/name and app.kubernetes.io/part-of.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      labels: {
        type: "array",
        items: { type: "string", minLength: 1 },
        description: "Labels every Pod and pod template must carry with a non-empty value.",
        default: [...REQUIRED_LABELS_DEFAULTS.labels],
      },
    },
  },
  validateResource: validatePods((pod, args, report) => {
    const { labels } = configOf(args, REQUIRED_LABELS_DEFAULTS);
    const missing = labels.filter(
      (label) => !leftToLiveObject(pod, pod.labels[label]) && !pod.labels[label],
    );
    if (missing.length > 0) {
      report(
        `${pod.subject} lacks label${missing.length === 1 ? "" : "s"} ${missing.join(", ")} (it has: ${formatLabels(pod.labels)}); accepted: ${labels.join(", ")}, each with a non-empty value.`,
      );
    }
  }),
};
