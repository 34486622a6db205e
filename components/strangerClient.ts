import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BusyboxClientArgs } from "./busyboxClient";
import { workloadLabels } from "./labels";
import { LAB_NAMES } from "./names";
import { idleBusyboxPodSpec } from "./idleBusybox";
import { labPodOptions } from "./podOptions";
import { assignedByCluster } from "./clusterAssigned";

/** Arguments of {@link StrangerClient}: the client's, where it runs being the scheduler's choice. */
export type StrangerClientArgs = Omit<BusyboxClientArgs, "affinity" | "imageCheckName"> & {
  /**
   * The client's image check (components/imageCheck.ts), of the same image: the stranger waits for
   * it, so an image that cannot serve fails there in seconds rather than at this pod's timeout.
   */
  readonly imageCheck?: pulumi.Resource;
};

/**
 * A second client in the lab's namespace that no NetworkPolicy of the lab lets in: the checks exec
 * into it and expect nginx to refuse it. It needs no capability (wget and nslookup only), so it
 * runs as Pod Security's restricted profile asks: non-root, nothing added.
 */
export class StrangerClient extends pulumi.ComponentResource {
  /** Name of the pod. */
  public readonly podName: pulumi.Output<string>;
  /** Name of the container to exec into. */
  public readonly containerName: pulumi.Output<string>;
  /** The pod's UID: it changes whenever the pod is replaced. */
  public readonly uid: pulumi.Output<string>;
  /** The stranger Pod itself. */
  public readonly pod: k8s.core.v1.Pod;

  constructor(name: string, args: StrangerClientArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:StrangerClient", name, {}, opts);
    const pod = new k8s.core.v1.Pod(
      `${name}-pod`,
      {
        metadata: {
          name: args.podName ?? LAB_NAMES.strangerPod,
          namespace: args.namespace,
          labels: workloadLabels("stranger", "stranger", args.instance),
        },
        spec: idleBusyboxPodSpec({
          containerName: LAB_NAMES.strangerContainer,
          image: args.image,
          imagePullPolicy: args.imagePullPolicy,
          resources: args.resources,
          privilege: "nobody",
        }),
      },
      {
        ...labPodOptions(this, args.readyTimeoutSeconds),
        dependsOn: args.imageCheck ? [args.imageCheck] : [],
      },
    );
    this.pod = pod;
    this.podName = pod.metadata.name;
    this.uid = assignedByCluster(pod.metadata.uid);
    this.containerName = pulumi.output(LAB_NAMES.strangerContainer);
    this.registerOutputs({
      podName: this.podName,
      containerName: this.containerName,
      uid: this.uid,
    });
  }
}
