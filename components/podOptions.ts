import * as pulumi from "@pulumi/pulumi";

/**
 * Resource options for one of the lab's pods. Their names are fixed (the walkthrough's), so a
 * replacement must delete the old pod before it creates the new one; and `pulumi up` waits for
 * Ready no longer than the configured timeout.
 */
export function labPodOptions(
  parent: pulumi.Resource,
  readyTimeoutSeconds: number,
): pulumi.CustomResourceOptions {
  const timeout = `${readyTimeoutSeconds}s`;
  return {
    parent,
    deleteBeforeReplace: true,
    customTimeouts: { create: timeout, update: timeout },
  };
}
