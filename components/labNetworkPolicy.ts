import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { INSTANCE_LABEL, labLabels, PART_OF } from "./labels";
import { LAB_NAMES } from "./names";

/** Arguments of {@link LabNetworkPolicy}. */
export interface LabNetworkPolicyArgs {
  /** Namespace of the lab. */
  readonly namespace: pulumi.Input<string>;
  /**
   * Whether the lab owns its namespace. Then the default deny covers every pod in it, as a
   * namespace's default deny should; in a shared namespace (`default`) it covers the lab's pods
   * only, so nobody else's pods are cut off.
   */
  readonly ownsNamespace: boolean;
  /** Labels that select the nginx server. */
  readonly serverSelector: pulumi.Input<Record<string, string>>;
  /** Labels that select the client the checks run in. */
  readonly clientSelector: pulumi.Input<Record<string, string>>;
  /** The two policies' names; the walkthrough lab's when left out. */
  readonly names?: { readonly defaultDeny: string; readonly allowClient: string };
  /** The lab instance they belong to (`app.kubernetes.io/instance`), when several share a namespace. */
  readonly instance?: string;
}

/**
 * Isolates the lab: no pod takes traffic from other pods by default, and nginx takes it from the
 * client alone. The allow names no port: the client's checks are HTTP and ping, and by the
 * NetworkPolicy API a rule with ports lets in only TCP, UDP or SCTP on them, never ICMP. Egress stays open: the
 * checks need CoreDNS, and a stranger must stay able to reach what the policies do not cover.
 */
export class LabNetworkPolicy extends pulumi.ComponentResource {
  /** The default-deny policy's name. */
  public readonly defaultDenyName: pulumi.Output<string>;
  /** The allow policy's name. */
  public readonly allowClientName: pulumi.Output<string>;
  /** The two NetworkPolicy objects. */
  public readonly policies: k8s.networking.v1.NetworkPolicy[];

  constructor(name: string, args: LabNetworkPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:NetworkPolicy", name, {}, opts);
    const labels = labLabels(args.instance);
    // In a shared namespace, the lab's own pods: this instance's, when it has one.
    const labPods = {
      "app.kubernetes.io/part-of": PART_OF,
      ...(args.instance !== undefined ? { [INSTANCE_LABEL]: args.instance } : {}),
    };
    const defaultDeny = new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      {
        metadata: {
          name: args.names?.defaultDeny ?? LAB_NAMES.defaultDenyPolicy,
          namespace: args.namespace,
          labels,
        },
        spec: {
          podSelector: args.ownsNamespace ? {} : { matchLabels: labPods },
          policyTypes: ["Ingress"],
        },
      },
      { parent: this, deleteBeforeReplace: true },
    );
    const allowClient = new k8s.networking.v1.NetworkPolicy(
      `${name}-allow-client`,
      {
        metadata: {
          name: args.names?.allowClient ?? LAB_NAMES.allowClientPolicy,
          namespace: args.namespace,
          labels,
        },
        spec: {
          podSelector: { matchLabels: args.serverSelector },
          policyTypes: ["Ingress"],
          ingress: [{ from: [{ podSelector: { matchLabels: args.clientSelector } }] }],
        },
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.policies = [defaultDeny, allowClient];
    this.defaultDenyName = defaultDeny.metadata.name;
    this.allowClientName = allowClient.metadata.name;
    this.registerOutputs({
      defaultDenyName: this.defaultDenyName,
      allowClientName: this.allowClientName,
    });
  }
}
