import * as pulumi from "@pulumi/pulumi";

/**
 * A field the cluster assigns when it creates the object (a UID, the node a pod runs on, a
 * Service's ClusterIP): unknown in a preview that creates the object, as its status is. The
 * kubernetes provider previews a new object as its inputs, so such a field would read as a known
 * `undefined`: the stack's output warned "Undefined value … will not show as a stack output" and a
 * command's trigger showed `null`. Once the object exists the value passes through unchanged.
 */
export function assignedByCluster<T>(value: pulumi.Output<T>): pulumi.Output<T> {
  return value.apply((v) =>
    v === undefined && pulumi.runtime.isDryRun() ? (pulumi.unknown as T) : v,
  );
}
