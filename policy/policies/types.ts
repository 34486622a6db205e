// The slice of the Kubernetes API the policies read, typed by hand: the pack needs no
// @pulumi/kubernetes (a provider SDK whose install wants a plugin) for a few field names.
export type {
  EnforcementLevel,
  Policies,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

/** Kubernetes object metadata. */
export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
}

/** A container's port. */
export interface ContainerPort {
  readonly name?: string;
  readonly containerPort?: number;
  readonly hostPort?: number;
  readonly protocol?: string;
}

/** Linux capabilities to add and drop. */
export interface Capabilities {
  readonly add?: readonly string[];
  readonly drop?: readonly string[];
}

/** A seccomp profile. */
export interface SeccompProfile {
  readonly type?: string;
  readonly localhostProfile?: string;
}

/** A container's security context. */
export interface SecurityContext {
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: Capabilities;
  readonly seccompProfile?: SeccompProfile;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly readOnlyRootFilesystem?: boolean;
}

/** A Pod's security context. */
export interface PodSecurityContext {
  readonly seccompProfile?: SeccompProfile;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
}

/** CPU and memory per container. */
export interface ResourceRequirements {
  readonly requests?: Record<string, string | number>;
  readonly limits?: Record<string, string | number>;
}

/** A readiness, liveness or startup probe. */
export interface Probe {
  readonly httpGet?: { readonly path?: string; readonly port?: number | string };
  readonly tcpSocket?: { readonly port?: number | string };
  readonly grpc?: { readonly port?: number };
  readonly exec?: { readonly command?: readonly string[] };
}

/** A container, init container or ephemeral container. */
export interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly ports?: readonly ContainerPort[];
  readonly resources?: ResourceRequirements;
  readonly readinessProbe?: Probe;
  readonly securityContext?: SecurityContext;
}

/** A Pod volume; only the kinds the policies look at are typed. */
export interface Volume {
  readonly name?: string;
  readonly hostPath?: { readonly path?: string };
}

/** A Pod's spec. */
export interface PodSpec {
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly ephemeralContainers?: readonly Container[];
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly securityContext?: PodSecurityContext;
  readonly volumes?: readonly Volume[];
}

/** A Service port. */
export interface ServicePort {
  readonly name?: string;
  readonly port?: number;
  readonly targetPort?: number | string;
  readonly protocol?: string;
}

/** A Service's spec. */
export interface ServiceSpec {
  readonly type?: string;
  readonly selector?: Record<string, string>;
  readonly ports?: readonly ServicePort[];
}
