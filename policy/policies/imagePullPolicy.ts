import { configOf } from "./config";
import { containersOf, leftToLiveObject, validatePods } from "./pods";
import { ResourceValidationPolicy } from "./types";

/** Config of {@link imagePullPolicy}. */
export interface ImagePullPolicyConfig {
  /** The imagePullPolicy values a container may set. */
  readonly allowedPolicies: readonly string[];
}

/**
 * Which value is right depends on the cluster, not the pod: Polaris and kube-score ask for Always,
 * which re-checks the registry and the pull secret at every start; IfNotPresent is as safe once
 * image-pinned holds; the lab's local k3s runs images imported into containerd with Never (see
 * scripts/up.sh). So all three are accepted by default, and a stack that wants Polaris's rule
 * narrows the list to Always in policy config.
 */
export const IMAGE_PULL_POLICY_DEFAULTS: ImagePullPolicyConfig = {
  allowedPolicies: ["Always", "IfNotPresent", "Never"],
};

/** `Always, IfNotPresent or Never`. */
function oneOf(values: readonly string[]): string {
  return values.length > 1
    ? `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`
    : (values[0] ?? "nothing (allowedPolicies is empty)");
}

/**
 * Every container says when its image is pulled. Left unset, Kubernetes picks Always for :latest
 * and IfNotPresent for any other tag, so the pull would change with the tag instead of with a
 * reviewed line. A patch that sets none keeps the live container's.
 */
export const imagePullPolicy: ResourceValidationPolicy = {
  name: "image-pull-policy",
  description:
    "Every container sets imagePullPolicy explicitly, to a value policy config allows (by default Always, IfNotPresent or Never).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedPolicies: {
        type: "array",
        items: { type: "string", enum: ["Always", "IfNotPresent", "Never"] },
        description: "The imagePullPolicy values a container may set.",
        default: [...IMAGE_PULL_POLICY_DEFAULTS.allowedPolicies],
      },
    },
  },
  validateResource: validatePods((pod, args, report) => {
    const { allowedPolicies } = configOf(args, IMAGE_PULL_POLICY_DEFAULTS);
    for (const { container, subject } of containersOf(pod)) {
      const policy = container.imagePullPolicy;
      if (leftToLiveObject(pod, policy)) {
        continue;
      }
      if (policy === undefined || !allowedPolicies.includes(policy)) {
        report(
          `${subject}: imagePullPolicy is ${policy ?? "unset (so it depends on the tag)"}; accepted: ${oneOf(allowedPolicies)}, set on the container.`,
        );
      }
    }
  }),
};
