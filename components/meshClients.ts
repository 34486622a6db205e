import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResourceSettings } from "../config";
import { idleBusyboxPodSpec } from "./idleBusybox";
import { selectorOf } from "./labels";
import { meshDaemonSet } from "./meshDaemonSet";
import { MESH } from "./meshPlan";
import { assignedByCluster } from "./clusterAssigned";
import { ReporterImage, withReporter } from "./meshReporting";

/** Arguments of {@link MeshClients}. */
export interface MeshClientsArgs {
  /** Namespace to run in. */
  readonly namespace: pulumi.Input<string>;
  /** busybox image, pinned by tag or digest (the lab's own). */
  readonly image: pulumi.Input<string>;
  /** When the kubelet pulls the image. */
  readonly imagePullPolicy: pulumi.Input<string>;
  /** CPU and memory requests and limits. */
  readonly resources: pulumi.Input<ResourceSettings>;
  /** How long `pulumi up` waits for the rollout. */
  readonly readyTimeoutSeconds: number;
  /**
   * The image checks of the images it runs (components/imageCheck.ts): it waits for them, so an
   * image that cannot serve fails there in seconds rather than at this workload's ready timeout.
   */
  readonly imageChecks?: readonly pulumi.Resource[];
  /** Its reporter sidecar's image (components/meshReporting.ts). */
  readonly reporter: ReporterImage;
  /** What the reporters need first: their service account, its role, the admission policy. */
  readonly reporting: readonly pulumi.Resource[];
}

/**
 * A client on every schedulable node: a DaemonSet of busybox that runs each script its reporter
 * sidecar hands it (components/meshReporting.ts), and files what it printed. Like busybox-client it keeps NET_RAW, and only NET_RAW, for ping (the MTU-filling
 * ping is half of the path MTU check), as root; its scripts write their sections to /tmp, a small
 * emptyDir, the root filesystem staying read-only.
 */
export class MeshClients extends pulumi.ComponentResource {
  /** Name of the container the checks exec into. */
  public static readonly containerName = MESH.clientContainer;
  /** The DaemonSet. */
  public readonly daemonSet: k8s.apps.v1.DaemonSet;
  /** Labels that select the clients' pods: what the echo servers' NetworkPolicy lets in. */
  public readonly selector: pulumi.Output<Record<string, string>>;
  /** The DaemonSet's UID. */
  public readonly uid: pulumi.Output<string>;

  constructor(name: string, args: MeshClientsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:MeshClients", name, {}, opts);
    const labels = MESH.clientLabels;
    this.daemonSet = meshDaemonSet(this, name, {
      objectName: MESH.clientDaemonSet,
      namespace: args.namespace,
      labels,
      podSpec: withReporter(
        idleBusyboxPodSpec({
          containerName: MeshClients.containerName,
          image: args.image,
          imagePullPolicy: args.imagePullPolicy,
          resources: args.resources,
          privilege: "ping",
          scratch: true,
        }),
        args.reporter,
        { prober: true },
      ),
      readyTimeoutSeconds: args.readyTimeoutSeconds,
      imageChecks: [...(args.imageChecks ?? []), ...args.reporting],
    });
    this.selector = pulumi.output(selectorOf(labels));
    this.uid = assignedByCluster(this.daemonSet.metadata.uid);
    this.registerOutputs({ selector: this.selector, uid: this.uid });
  }
}
