import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResourceSettings } from "../config";
import { selectorOf, workloadLabels } from "./labels";
import { idleBusyboxPodSpec } from "./idleBusybox";
import { imageCheck, toolsCheck } from "./imageCheck";
import { labPodOptions } from "./podOptions";
import { LAB_NAMES } from "./names";
import { assignedByCluster } from "./clusterAssigned";

/** What the checks run in the client (checks/podScript.ts, strangerScript.ts, meshScript.ts). */
const CLIENT_TOOLS = [
  "sh",
  "wget",
  "ping",
  "nslookup",
  "timeout",
  "sleep",
  "cat",
  "awk",
  "ip",
  "kill",
  "mktemp",
  "head",
  "cut",
  "wc",
  "rm",
  "grep",
];

/** Arguments of {@link BusyboxClient}. */
export interface BusyboxClientArgs {
  /** Namespace to run in. */
  readonly namespace: pulumi.Input<string>;
  /** busybox image, pinned by tag or digest. */
  readonly image: pulumi.Input<string>;
  /** When the kubelet pulls the image. */
  readonly imagePullPolicy: pulumi.Input<string>;
  /** CPU and memory requests and limits. */
  readonly resources: pulumi.Input<ResourceSettings>;
  /** How long to wait for the pod to become Ready. */
  readonly readyTimeoutSeconds: number;
  /** Scheduling constraints relative to the server, if any. */
  readonly affinity?: pulumi.Input<k8s.types.input.core.v1.Affinity>;
  /** The pod's name; the walkthrough's when left out. */
  readonly podName?: string;
  /** The image check's Job name; the walkthrough's `busybox-image-check` when left out. */
  readonly imageCheckName?: string;
  /** The lab instance this pod belongs to (`app.kubernetes.io/instance`), when several share a namespace. */
  readonly instance?: string;
}

/**
 * The walkthrough's client: one busybox Pod, `busybox-client`, that the checks exec into.
 * It idles until deleted (the walkthrough's `sleep 3600` dies after an hour) and answers SIGTERM at
 * once. It keeps NET_RAW, and only NET_RAW, because busybox ping needs a raw socket.
 */
export class BusyboxClient extends pulumi.ComponentResource {
  /** Name of the container the checks exec into. */
  public static readonly containerName = LAB_NAMES.clientContainer;
  /** Name of the pod. */
  public readonly podName: pulumi.Output<string>;
  /** The busybox Pod itself, for users composing on top of this component. */
  public readonly pod: k8s.core.v1.Pod;
  /** The Job that checks the image first: whatever else runs this image waits for it too. */
  public readonly imageCheck: k8s.batch.v1.Job;
  /** The pod's IP. */
  public readonly podIp: pulumi.Output<string>;
  /** The node the pod was scheduled on. */
  public readonly nodeName: pulumi.Output<string>;
  /** The pod's UID: it changes whenever the pod is replaced. */
  public readonly uid: pulumi.Output<string>;
  /** Name of the container to exec into. */
  public readonly containerName: pulumi.Output<string>;
  /** Labels that select this pod: what a NetworkPolicy lets in. */
  public readonly selector: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: BusyboxClientArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:BusyboxClient", name, {}, opts);
    const labels = workloadLabels("busybox", "client", args.instance);
    // As nobody: the tools the checks run must be there whatever the user (the pod runs as root).
    const check = imageCheck(
      `${name}-image-check`,
      {
        jobName: args.imageCheckName ?? LAB_NAMES.clientImageCheck,
        namespace: args.namespace,
        app: "busybox-image-check",
        podSpec: idleBusyboxPodSpec({
          containerName: BusyboxClient.containerName,
          image: args.image,
          imagePullPolicy: args.imagePullPolicy,
          resources: args.resources,
          privilege: "nobody",
        }),
        command: toolsCheck("the lab's client", CLIENT_TOOLS),
        timeoutSeconds: args.readyTimeoutSeconds,
        ...(args.instance !== undefined ? { instance: args.instance } : {}),
      },
      this,
    );
    const pod = new k8s.core.v1.Pod(
      `${name}-pod`,
      {
        metadata: {
          name: args.podName ?? LAB_NAMES.clientPod,
          namespace: args.namespace,
          labels,
        },
        spec: {
          ...idleBusyboxPodSpec({
            containerName: BusyboxClient.containerName,
            image: args.image,
            imagePullPolicy: args.imagePullPolicy,
            resources: args.resources,
            privilege: "ping",
          }),
          ...(args.affinity ? { affinity: args.affinity } : {}),
        },
      },
      { ...labPodOptions(this, args.readyTimeoutSeconds), dependsOn: [check] },
    );
    this.pod = pod;
    this.imageCheck = check;
    this.podName = pod.metadata.name;
    this.podIp = pod.status.podIP;
    this.nodeName = assignedByCluster(pod.spec.nodeName);
    this.uid = assignedByCluster(pod.metadata.uid);
    this.containerName = pulumi.output(BusyboxClient.containerName);
    this.selector = pulumi.output(selectorOf(labels));
    this.registerOutputs({
      selector: this.selector,
      podName: this.podName,
      podIp: this.podIp,
      nodeName: this.nodeName,
      uid: this.uid,
      containerName: this.containerName,
    });
  }
}
