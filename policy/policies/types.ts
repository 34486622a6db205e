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
  readonly annotations?: Record<string, string>;
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

/** A seccomp or AppArmor profile. */
export interface SecurityProfile {
  readonly type?: string;
  readonly localhostProfile?: string;
}

/** SELinux labels. */
export interface SELinuxOptions {
  readonly user?: string;
  readonly role?: string;
  readonly type?: string;
  readonly level?: string;
}

/** Windows-specific settings. */
export interface WindowsOptions {
  readonly hostProcess?: boolean;
}

/** A namespaced kernel parameter. */
export interface Sysctl {
  readonly name?: string;
  readonly value?: string;
}

/** The fields a Pod's and a container's security context share. */
export interface CommonSecurityContext {
  readonly seccompProfile?: SecurityProfile;
  readonly appArmorProfile?: SecurityProfile;
  readonly seLinuxOptions?: SELinuxOptions;
  readonly windowsOptions?: WindowsOptions;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
}

/** A container's security context. */
export interface SecurityContext extends CommonSecurityContext {
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: Capabilities;
  readonly readOnlyRootFilesystem?: boolean;
  readonly procMount?: string;
}

/** A Pod's security context. */
export interface PodSecurityContext extends CommonSecurityContext {
  readonly sysctls?: readonly Sysctl[];
}

/** CPU and memory per container. */
export interface ResourceRequirements {
  readonly requests?: Record<string, string | number>;
  readonly limits?: Record<string, string | number>;
}

/** An HTTP GET of a probe or lifecycle hook; host defaults to the pod's IP. */
export interface HttpGetAction {
  readonly path?: string;
  readonly port?: number | string;
  readonly host?: string;
}

/** A TCP connect of a probe or (deprecated) lifecycle hook; host defaults to the pod's IP. */
export interface TcpSocketAction {
  readonly port?: number | string;
  readonly host?: string;
}

/** A readiness, liveness or startup probe. */
export interface Probe {
  readonly httpGet?: HttpGetAction;
  readonly tcpSocket?: TcpSocketAction;
  readonly grpc?: { readonly port?: number };
  readonly exec?: { readonly command?: readonly string[] };
}

/** A postStart or preStop hook. */
export interface LifecycleHandler {
  readonly httpGet?: HttpGetAction;
  readonly tcpSocket?: TcpSocketAction;
  readonly exec?: { readonly command?: readonly string[] };
}

/** A container, init container or ephemeral container. */
export interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly ports?: readonly ContainerPort[];
  readonly imagePullPolicy?: string;
  readonly resources?: ResourceRequirements;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly lifecycle?: {
    readonly postStart?: LifecycleHandler;
    readonly preStop?: LifecycleHandler;
  };
  readonly securityContext?: SecurityContext;
}

/** A Pod volume: its name and one source, keyed by kind; only hostPath is read. */
export interface Volume {
  readonly name?: string;
  readonly hostPath?: { readonly path?: string };
  readonly [source: string]: unknown;
}

/** A Pod's spec. */
export interface PodSpec {
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly ephemeralContainers?: readonly Container[];
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  /** false puts the pod in a user namespace: root inside is not root on the node. */
  readonly hostUsers?: boolean;
  readonly os?: { readonly name?: string };
  readonly securityContext?: PodSecurityContext;
  readonly serviceAccountName?: string;
  /** The deprecated alias of serviceAccountName, still honoured by the API server. */
  readonly serviceAccount?: string;
  readonly automountServiceAccountToken?: boolean;
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
