import { containersOf, leftToLiveObject, validatePods } from "./pods";
import { ResourceValidationPolicy } from "./types";

const REQUIRED = [
  ["requests", "cpu"],
  ["requests", "memory"],
  ["limits", "cpu"],
  ["limits", "memory"],
] as const;

/**
 * Every container and init container requests and limits both cpu and memory. Ephemeral (debug)
 * containers are left out: Kubernetes gives them no resources field. A patch is asked only about
 * what it sets: a value it leaves out is the live container's.
 */
export const containerResources: ResourceValidationPolicy = {
  name: "container-resources",
  description: "Every container sets cpu and memory requests and limits.",
  enforcementLevel: "mandatory",
  validateResource: validatePods((pod, _args, report) => {
    for (const { container, subject } of containersOf(pod, ["container", "init container"])) {
      const missing = REQUIRED.filter(([kind, resource]) => {
        const value = container.resources?.[kind]?.[resource];
        return !leftToLiveObject(pod, value) && (value === undefined || value === "");
      }).map(([kind, resource]) => `resources.${kind}.${resource}`);
      if (missing.length > 0) {
        report(
          `${subject}: ${missing.join(", ")} not set; accepted: requests and limits for both cpu and memory, e.g. requests {cpu: "10m", memory: "8Mi"} and limits {cpu: "100m", memory: "32Mi"}.`,
        );
      }
    }
  }),
};
