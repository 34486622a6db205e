import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResourceSettings } from "../config";
import { selectorOf } from "./labels";
import { MESH } from "./meshPlan";

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
}

/**
 * A client on every schedulable node: a DaemonSet of busybox that idles until the checks exec
 * into it. Like busybox-client it keeps NET_RAW, and only NET_RAW, for ping (the MTU-filling
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
    const timeout = `${args.readyTimeoutSeconds}s`;
    this.daemonSet = new k8s.apps.v1.DaemonSet(
      `${name}-daemonset`,
      {
        metadata: { name: "mesh-client", namespace: args.namespace, labels },
        spec: {
          selector: { matchLabels: selectorOf(labels) },
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "100%" } },
          template: {
            metadata: { labels },
            spec: {
              securityContext: { seccompProfile: { type: "RuntimeDefault" } },
              automountServiceAccountToken: false,
              terminationGracePeriodSeconds: 1,
              containers: [
                {
                  name: MeshClients.containerName,
                  image: args.image,
                  imagePullPolicy: args.imagePullPolicy,
                  command: [
                    "sh",
                    "-c",
                    "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done",
                  ],
                  resources: args.resources,
                  securityContext: {
                    runAsUser: 0,
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"], add: ["NET_RAW"] },
                  },
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "4Mi" } }],
            },
          },
        },
      },
      {
        parent: this,
        deleteBeforeReplace: true,
        customTimeouts: { create: timeout, update: timeout },
      },
    );
    this.selector = pulumi.output(selectorOf(labels));
    this.uid = this.daemonSet.metadata.uid;
    this.registerOutputs({ selector: this.selector, uid: this.uid });
  }
}
