import { configOf } from "./config";
import { kindOf, objectName } from "./pods";
import { ObjectMeta, ResourceValidationPolicy } from "./types";

/** Config of {@link namespaceAdvisory}. */
export interface NamespaceConfig {
  /** Namespaces the lab's objects should stay out of. */
  readonly discouragedNamespaces: readonly string[];
}

/** default mixes the lab with whatever else runs there; kube-system belongs to the cluster. */
export const NAMESPACE_DEFAULTS: NamespaceConfig = {
  discouragedNamespaces: ["default", "kube-system"],
};

/** Kinds that live outside namespaces: a namespace check means nothing for them. */
const CLUSTER_SCOPED = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterTrustBundle",
  "ComponentStatus",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "FlowSchema",
  "IngressClass",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "StorageClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

/**
 * Advisory: namespaced Kubernetes objects stay out of `default` and `kube-system`. An object that
 * names no namespace is flagged too: it lands in the provider's default namespace, which is
 * `default` unless the provider (kubernetes:namespace) says otherwise.
 */
export const namespaceAdvisory: ResourceValidationPolicy = {
  name: "namespace-not-default",
  description: "Namespaced objects live in a namespace of their own, not default or kube-system.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      discouragedNamespaces: {
        type: "array",
        items: { type: "string" },
        description: "Namespaces to keep the lab's objects out of.",
        default: [...NAMESPACE_DEFAULTS.discouragedNamespaces],
      },
    },
  },
  validateResource: (args, report) => {
    const kind = kindOf(args.type);
    const metadata = args.props.metadata as ObjectMeta | undefined;
    // Components (yaml, helm) and patches' own kinds carry no metadata; those have nothing to check.
    if (kind === undefined || CLUSTER_SCOPED.has(kind) || metadata === undefined) {
      return;
    }
    const { discouragedNamespaces } = configOf(args, NAMESPACE_DEFAULTS);
    const subject = `${kind} ${objectName(args)}`;
    const accepted = `accepted: a namespace of its own, such as the lab's pod-to-pod (discouraged: ${discouragedNamespaces.join(", ")})`;
    if (metadata.namespace === undefined || metadata.namespace === "") {
      report(
        `${subject} sets no metadata.namespace, so it lands in the provider's default namespace (default unless kubernetes:namespace is set); ${accepted}.`,
      );
    } else if (discouragedNamespaces.includes(metadata.namespace)) {
      report(`${subject} is in namespace ${metadata.namespace}; ${accepted}.`);
    }
  },
};
