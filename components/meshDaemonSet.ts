import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorOf } from "./labels";

/**
 * A DaemonSet of the every-node mesh (echo servers, clients, node probes): one pod per schedulable
 * node, selected by its labels. Test fixtures, not a service: every node's pod is replaced at once
 * on a change, the old one deleted first, and `pulumi up` waits for the rollout no longer than the
 * lab's pod timeout.
 */
export function meshDaemonSet(
  parent: pulumi.Resource,
  name: string,
  args: {
    readonly objectName: string;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly podSpec: k8s.types.input.core.v1.PodSpec;
    readonly readyTimeoutSeconds: number;
    /** The image checks it waits for. */
    readonly imageChecks?: readonly pulumi.Resource[];
  },
): k8s.apps.v1.DaemonSet {
  const timeout = `${args.readyTimeoutSeconds}s`;
  return new k8s.apps.v1.DaemonSet(
    `${name}-daemonset`,
    {
      metadata: { name: args.objectName, namespace: args.namespace, labels: args.labels },
      spec: {
        selector: { matchLabels: selectorOf(args.labels) },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "100%" } },
        template: { metadata: { labels: args.labels }, spec: args.podSpec },
      },
    },
    {
      parent,
      deleteBeforeReplace: true,
      customTimeouts: { create: timeout, update: timeout },
      dependsOn: [...(args.imageChecks ?? [])],
    },
  );
}
