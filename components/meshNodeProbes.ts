import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResourceSettings } from "../config";
import { idleBusyboxPodSpec } from "./idleBusybox";
import { selectorOf } from "./labels";
import { meshDaemonSet } from "./meshDaemonSet";
import { MESH } from "./meshPlan";
import { MeshClientsArgs } from "./meshClients";
import { assignedByCluster } from "./clusterAssigned";
import { withReporter } from "./meshReporting";

/** Arguments of {@link MeshNodeProbes}: the clients' (image, resources, timeout). */
export type MeshNodeProbesArgs = MeshClientsArgs;

/**
 * A probe in every schedulable node's own network namespace (hostNetwork): from there the checks
 * reach the echo servers of the other nodes (node to pod, Cilium's host-to-pod), which tells a
 * broken node route from a broken pod, and read the node's links and their MTUs (flannel.1, cni0,
 * the node's own link) for the MTU diagnosis.
 *
 * hostNetwork is the one thing it needs, and nothing else: no capability, not root, no host path,
 * no port (so no host port either). Pod Security's baseline forbids host namespaces outright, so
 * the policy pack exempts this one DaemonSet, by URN, for hostNetwork alone
 * (policy/policies/podSecurity/exemptions.ts); `pod-to-pod:mesh.nodeToPod: false` leaves it out.
 */
export class MeshNodeProbes extends pulumi.ComponentResource {
  /** Name of the container the checks exec into. */
  public static readonly containerName = MESH.nodeProbeContainer;
  /** The DaemonSet. */
  public readonly daemonSet: k8s.apps.v1.DaemonSet;
  /** Labels that select the probes' pods. */
  public readonly selector: pulumi.Output<Record<string, string>>;
  /** The DaemonSet's UID. */
  public readonly uid: pulumi.Output<string>;

  constructor(name: string, args: MeshNodeProbesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:MeshNodeProbes", name, {}, opts);
    const labels = MESH.nodeProbeLabels;
    const resources: pulumi.Input<ResourceSettings> = args.resources;
    this.daemonSet = meshDaemonSet(this, name, {
      objectName: MESH.nodeProbeDaemonSet,
      namespace: args.namespace,
      labels,
      podSpec: {
        ...withReporter(
          idleBusyboxPodSpec({
            containerName: MeshNodeProbes.containerName,
            image: args.image,
            imagePullPolicy: args.imagePullPolicy,
            resources,
            privilege: "nobody",
            scratch: true,
          }),
          args.reporter,
          { prober: true },
        ),
        // What it probes from: the node's own network namespace (see the policy pack's
        // exemption for it).
        hostNetwork: true,
      },
      readyTimeoutSeconds: args.readyTimeoutSeconds,
      imageChecks: [...(args.imageChecks ?? []), ...args.reporting],
    });
    this.selector = pulumi.output(selectorOf(labels));
    this.uid = assignedByCluster(this.daemonSet.metadata.uid);
    this.registerOutputs({ selector: this.selector, uid: this.uid });
  }
}
