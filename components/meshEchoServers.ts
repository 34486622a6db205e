import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResourceSettings } from "../config";
import { selectorOf } from "./labels";
import { meshDaemonSet } from "./meshDaemonSet";
import { MESH } from "./meshPlan";
import { nginxConfMapName, renderNginxConf } from "./nginxConf";
import { nginxPodSpec } from "./nginxPod";
import { assignedByCluster } from "./clusterAssigned";
import { ACCESS_LOG_FILE, ReporterImage, withReporter } from "./meshReporting";
import { NGINX_USER } from "./nginxPod";

/** Arguments of {@link MeshEchoServers}. */
export interface MeshEchoServersArgs {
  /** Namespace to run in. */
  readonly namespace: pulumi.Input<string>;
  /** nginx image, pinned by tag or digest (the lab's own). */
  readonly image: pulumi.Input<string>;
  /** When the kubelet pulls the image. */
  readonly imagePullPolicy: pulumi.Input<string>;
  /** Port the mesh clients reach each echo server on. */
  readonly port: number;
  /** Port the nodes reach each echo server on: the one port their NetworkPolicy opens to nodes. */
  readonly nodePort: number;
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

/** The name of the echo servers' nginx.conf's ConfigMap (one place: the lab's claim reads it too). */
export function echoConfMapName(port: number, nodePort: number = MESH.nodePort): string {
  return nginxConfMapName(MESH.echoDaemonSet, port, [nodePort], ACCESS_LOG_FILE);
}

/**
 * An echo server on every schedulable node: a DaemonSet of the lab's nginx, each pod answering on
 * the identity path with its own UID (so the checks know which node's server answered) and serving
 * 64 KiB on the large path (full-size packets), on the clients' port and on the nodes' port; and
 * its reporter sidecar, which files the end of its access log (written to a file beside stdout)
 * when a run asks for it: the echo servers' witness, one watch of the reports for every node.
 */
export class MeshEchoServers extends pulumi.ComponentResource {
  /** Name of the port the clients reach: the mesh's Service targets it by name. */
  public static readonly portName = "http";
  /** The DaemonSet. */
  public readonly daemonSet: k8s.apps.v1.DaemonSet;
  /** Labels that select the echo servers' pods. */
  public readonly selector: pulumi.Output<Record<string, string>>;
  /** The DaemonSet's UID: it changes whenever the DaemonSet is replaced. */
  public readonly uid: pulumi.Output<string>;

  constructor(name: string, args: MeshEchoServersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:MeshEchoServers", name, {}, opts);
    if (args.nodePort === args.port) {
      throw new Error(
        `the mesh's node port (${args.nodePort}) must differ from pod-to-pod:nginx.port (${args.port}): the nodes are let in on their own port`,
      );
    }
    const labels = MESH.echoLabels;
    const conf = new k8s.core.v1.ConfigMap(
      `${name}-conf`,
      {
        metadata: {
          name: echoConfMapName(args.port, args.nodePort),
          namespace: args.namespace,
          labels,
        },
        data: { "nginx.conf": renderNginxConf(args.port, [args.nodePort], ACCESS_LOG_FILE) },
      },
      { parent: this },
    );
    this.daemonSet = meshDaemonSet(this, name, {
      objectName: MESH.echoDaemonSet,
      namespace: args.namespace,
      labels,
      podSpec: withReporter(
        nginxPodSpec({
          image: args.image,
          imagePullPolicy: args.imagePullPolicy,
          resources: args.resources,
          port: { name: MeshEchoServers.portName, number: args.port },
          otherPorts: [{ name: "node", number: args.nodePort }],
          confMap: conf.metadata.name,
        }),
        args.reporter,
        { server: true, user: NGINX_USER },
      ),
      readyTimeoutSeconds: args.readyTimeoutSeconds,
      imageChecks: [...(args.imageChecks ?? []), ...args.reporting],
    });
    this.selector = pulumi.output(selectorOf(labels));
    this.uid = assignedByCluster(this.daemonSet.metadata.uid);
    this.registerOutputs({ selector: this.selector, uid: this.uid });
  }
}
