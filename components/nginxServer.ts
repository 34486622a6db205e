import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResourceSettings } from "../config";
import { selectorOf, workloadLabels } from "./labels";
import { LAB_NAMES } from "./names";
import { nginxConfMapName, renderNginxConf } from "./nginxConf";
import { imageCheck } from "./imageCheck";
import { NGINX_COMMAND, nginxPodSpec } from "./nginxPod";
import { labPodOptions } from "./podOptions";
import { assignedByCluster } from "./clusterAssigned";

/** Arguments of {@link NginxServer}. */
export interface NginxServerArgs {
  /** Namespace to run in. */
  readonly namespace: pulumi.Input<string>;
  /** nginx image, pinned by tag or digest. */
  readonly image: pulumi.Input<string>;
  /** When the kubelet pulls the image. */
  readonly imagePullPolicy: pulumi.Input<string>;
  /** Port nginx listens on inside the pod. */
  readonly port: number;
  /** CPU and memory requests and limits. */
  readonly resources: pulumi.Input<ResourceSettings>;
  /** How long to wait for the pod to become Ready. */
  readonly readyTimeoutSeconds: number;
  /** Scheduling constraints, if any. */
  readonly affinity?: pulumi.Input<k8s.types.input.core.v1.Affinity>;
  /** The pod's name; the walkthrough's `nginx-server` when left out. */
  readonly podName?: string;
  /** The image check's Job name; the walkthrough's `nginx-image-check` when left out. */
  readonly imageCheckName?: string;
  /** The lab instance this server belongs to (`app.kubernetes.io/instance`), when several share a namespace. */
  readonly instance?: string;
}

/** The walkthrough's server: one nginx Pod, `nginx-server`, labelled app=nginx. */
export class NginxServer extends pulumi.ComponentResource {
  /** Name of the container port that serves HTTP: the Service targets it by this name. */
  public static readonly portName = "http";
  /** Name of the pod. */
  public readonly podName: pulumi.Output<string>;
  /** The nginx Pod itself, for users composing on top of this component. */
  public readonly pod: k8s.core.v1.Pod;
  /** The Job that checks the image first: whatever else runs this image waits for it too. */
  public readonly imageCheck: k8s.batch.v1.Job;
  /** The pod's IP. */
  public readonly podIp: pulumi.Output<string>;
  /** The node the pod was scheduled on. */
  public readonly nodeName: pulumi.Output<string>;
  /** The pod's UID: it changes whenever the pod is replaced. */
  public readonly uid: pulumi.Output<string>;
  /**
   * Labels that select this pod: the ones it declares, known before the pod exists, so the Service
   * and the client are created alongside it instead of after it is Ready.
   */
  public readonly selector: pulumi.Output<Record<string, string>>;
  /** Name of the port that serves HTTP. */
  public readonly portName: pulumi.Output<string>;

  constructor(name: string, args: NginxServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:NginxServer", name, {}, opts);
    const labels = workloadLabels("nginx", "server", args.instance);
    const podName = args.podName ?? LAB_NAMES.serverPod;

    // Named after the pod and the conf's hash: a changed nginx.conf replaces the ConfigMap and with
    // it the pod that mounts it, and an unchanged one keeps its name from preview to preview.
    const conf = new k8s.core.v1.ConfigMap(
      `${name}-conf`,
      {
        metadata: { name: nginxConfMapName(podName, args.port), namespace: args.namespace, labels },
        data: { "nginx.conf": renderNginxConf(args.port) },
      },
      { parent: this },
    );

    const spec = nginxPodSpec({
      image: args.image,
      imagePullPolicy: args.imagePullPolicy,
      resources: args.resources,
      port: { name: NginxServer.portName, number: args.port },
      confMap: conf.metadata.name,
    });
    // The pod's own command with -t: nginx on the PATH, taking the lab's flags and nginx.conf.
    const check = imageCheck(
      `${name}-image-check`,
      {
        jobName: args.imageCheckName ?? LAB_NAMES.serverImageCheck,
        namespace: args.namespace,
        app: "nginx-image-check",
        podSpec: spec,
        command: [...NGINX_COMMAND, "-t", "-q"],
        timeoutSeconds: args.readyTimeoutSeconds,
        ...(args.instance !== undefined ? { instance: args.instance } : {}),
      },
      this,
    );

    const pod = new k8s.core.v1.Pod(
      `${name}-pod`,
      {
        metadata: { name: podName, namespace: args.namespace, labels },
        spec: { ...spec, ...(args.affinity ? { affinity: args.affinity } : {}) },
      },
      { ...labPodOptions(this, args.readyTimeoutSeconds), dependsOn: [check] },
    );

    this.pod = pod;
    this.imageCheck = check;
    this.podName = pod.metadata.name;
    this.podIp = pod.status.podIP;
    this.nodeName = assignedByCluster(pod.spec.nodeName);
    this.uid = assignedByCluster(pod.metadata.uid);
    this.selector = pulumi.output(selectorOf(labels));
    this.portName = pulumi.output(NginxServer.portName);
    this.registerOutputs({
      podName: this.podName,
      podIp: this.podIp,
      nodeName: this.nodeName,
      uid: this.uid,
      selector: this.selector,
      portName: this.portName,
    });
  }
}
