import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PART_OF } from "./labels";

/** Arguments of {@link LabNamespace}. */
export interface LabNamespaceArgs {
  /** The namespace's name. */
  readonly name: string;
  /** Create it (true) or use one that already exists, such as `default` (false). */
  readonly create: boolean;
}

/**
 * The namespace the lab runs in, labelled for Pod Security Admission. The client keeps NET_RAW
 * for ping, which even the baseline profile forbids (a real cluster rejects the pod under
 * `enforce: baseline`), and PSA has no per-pod exemption. So the namespace enforces nothing
 * (`privileged`) and warns and audits against `restricted`: every apply shows the exemption, and
 * the policy pack (policy/) is what gates the pods.
 */
export class LabNamespace extends pulumi.ComponentResource {
  /** The namespace's name, known only once it exists when the program creates it. */
  public readonly name: pulumi.Output<string>;
  /**
   * Options for the components the program puts in this namespace. When the program created it,
   * their objects go with it on destroy (`deletedWith`): the namespace controller deletes them all
   * at once, where awaiting each pod's delete before the namespace's took twice as long.
   */
  public readonly contentOptions: pulumi.ComponentResourceOptions;

  constructor(name: string, args: LabNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pod-to-pod:lab:Namespace", name, {}, opts);
    if (args.create) {
      const namespace = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        {
          metadata: {
            name: args.name,
            labels: {
              "app.kubernetes.io/part-of": PART_OF,
              "app.kubernetes.io/managed-by": "pulumi",
              "pod-security.kubernetes.io/enforce": "privileged",
              "pod-security.kubernetes.io/warn": "restricted",
              "pod-security.kubernetes.io/audit": "restricted",
            },
          },
        },
        { parent: this },
      );
      this.name = namespace.metadata.name;
      this.contentOptions = { deletedWith: namespace };
    } else {
      this.name = pulumi.output(args.name);
      // Not ours to delete: each object's own delete, awaited, is what removes it.
      this.contentOptions = {};
    }
    this.registerOutputs({ name: this.name });
  }
}
