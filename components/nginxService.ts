import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { labLabels } from "./labels";
import { LAB_NAMES } from "./names";
import { assignedByCluster } from "./clusterAssigned";

/** Arguments of {@link NginxService}. */
export interface NginxServiceArgs {
  /** Namespace of the Service (the server's). */
  readonly namespace: pulumi.Input<string>;
  /** Labels of the pods to send traffic to: the server's own selector. */
  readonly selector: pulumi.Input<Record<string, string>>;
  /** Port the Service listens on. */
  readonly port: number;
  /** The server container's port, by name. */
  readonly targetPort: pulumi.Input<string>;
  /** The Service's name; the walkthrough's `nginx-service` when left out. */
  readonly serviceName?: string;
  /** The lab instance it belongs to (`app.kubernetes.io/instance`), when several share a namespace. */
  readonly instance?: string;
}

/** The walkthrough's Service, `nginx-service`: a ClusterIP in front of the nginx pod. */
export class NginxService extends pulumi.ComponentResource {
  /** The Service itself, for users composing on top of this component. */
  public readonly service: k8s.core.v1.Service;
  /** The Service's name, as DNS knows it. */
  public readonly name: pulumi.Output<string>;
  /** Its virtual IP. */
  public readonly clusterIp: pulumi.Output<string>;
  /** The port it listens on. */
  public readonly port: pulumi.Output<number>;
  /** Its UID: it changes whenever the Service is replaced. */
  public readonly uid: pulumi.Output<string>;

  constructor(name: string, args: NginxServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:NginxService", name, {}, opts);
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: {
          name: args.serviceName ?? LAB_NAMES.service,
          namespace: args.namespace,
          labels: { "app.kubernetes.io/name": "nginx-service", ...labLabels(args.instance) },
          annotations: {
            // The kubernetes provider would wait for endpoints and then a fixed 10 s for them to
            // settle. The connectivity check proves the Service routes to nginx, with evidence,
            // and waits (bounded) for its name and ClusterIP to answer: no fixed timer.
            "pulumi.com/skipAwait": "true",
          },
        },
        spec: {
          type: "ClusterIP",
          selector: args.selector,
          ports: [{ name: "http", protocol: "TCP", port: args.port, targetPort: args.targetPort }],
        },
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.service = service;
    this.name = service.metadata.name;
    this.clusterIp = assignedByCluster(service.spec.clusterIP);
    this.port = pulumi.output(args.port);
    this.uid = assignedByCluster(service.metadata.uid);
    this.registerOutputs({
      name: this.name,
      clusterIp: this.clusterIp,
      port: this.port,
      uid: this.uid,
    });
  }
}
