import { containersOf, leftToLiveObject, validatePods } from "./pods";
import { ResourceValidationPolicy } from "./types";

/**
 * Containers and init containers cannot write to their image's filesystem: what they write goes to
 * a volume, where it is visible and bounded. Ephemeral (debug) containers are left out: they are
 * added by hand to inspect a pod, not declared in the program. A patch that sets nothing here keeps the live container's value.
 */
export const readOnlyRootFilesystem: ResourceValidationPolicy = {
  name: "read-only-root-filesystem",
  description: "Every container mounts its root filesystem read-only.",
  enforcementLevel: "mandatory",
  validateResource: validatePods((pod, _args, report) => {
    for (const { container, subject } of containersOf(pod, ["container", "init container"])) {
      const value = container.securityContext?.readOnlyRootFilesystem;
      if (value !== true && !leftToLiveObject(pod, value)) {
        report(
          `${subject}: securityContext.readOnlyRootFilesystem is ${value === false ? "false" : "unset"}; accepted: true, with an emptyDir volume where the container must write (e.g. /tmp).`,
        );
      }
    }
  }),
};
