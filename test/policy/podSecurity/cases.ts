import {
  BASELINE_CAPABILITIES,
  Container,
  Profile,
  RESTRICTED_VOLUME_TYPES,
  SAFE_SYSCTLS,
  Version,
  VERSIONS,
} from "../../../policy/policies";
import { Mutable, PodManifest } from "../harness";

// Each control against the standard's own allowed and forbidden values, at every version the pack
// knows: a case changes the happy path (restricted-clean) in one way and says what each profile
// reports, as the problem part of each finding it expects. Every case is a pod the API server
// accepts as valid, so the same table is the live reference's (test/real/podSecurityAdmission):
// where Kubernetes' own validation or defaulting ties a second field to the one under test (a
// hostProcess pod must share the node's network, which makes its ports host ports), the case
// expects the second control's finding too.

/** A change to the happy path. */
export type Change = (pod: Mutable<PodManifest>) => void;

/** A finding's problem, given the pod's subject (`Pod nginx-server`). */
export type Problem = (pod: string) => string;

/** Another control's finding that a case cannot avoid; `only` under that one profile. */
export type Also = readonly [control: string, problem: Problem, only?: Profile];

/** One value of one control. */
export interface Case {
  readonly control: string;
  readonly value: string;
  readonly change: Change;
  /** The finding's problem under baseline, at every version; unset where baseline allows. */
  readonly baseline?: Problem;
  /** The same under restricted. */
  readonly restricted?: Problem;
  /** Where a version decides otherwise: its problem per profile, `null` where it allows. */
  readonly at?: Partial<Record<Version, Partial<Record<Profile, Problem | null>>>>;
  /** Findings of other controls the case cannot avoid. */
  readonly also?: readonly Also[];
}

/** `control: problem` of every finding a case expects under a profile and version. */
export function expectedFindings(
  c: Case,
  profile: Profile,
  version: Version,
  subject: string,
): string[] {
  const override = c.at?.[version];
  const problem = override !== undefined && profile in override ? override[profile] : c[profile];
  const own = problem === undefined || problem === null ? [] : [[c.control, problem] as const];
  const others = (c.also ?? []).filter(([, , only]) => only === undefined || only === profile);
  return [...own, ...others].map(([control, p]) => `${control}: ${p(subject)}`);
}

/** The profiles, and the versions, the cases are tried under. */
export const PROFILES: readonly Profile[] = ["baseline", "restricted"];
export { VERSIONS };

/** The happy path's one container, as a message names it. */
export const nginx = (pod: string) => `${pod}, container nginx`;

/** A container that restricted accepts, for the init and ephemeral lists. */
export function helper(name: string, change?: (c: Mutable<Container>) => void): Mutable<Container> {
  const container: Mutable<Container> = {
    name,
    image: "busybox:1.37.0",
    imagePullPolicy: "IfNotPresent",
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
  };
  change?.(container);
  return container;
}

/** A change to the nginx container's securityContext. */
function inContainer(change: (c: NonNullable<Mutable<Container>["securityContext"]>) => void) {
  return (p: Mutable<PodManifest>) => change(p.spec.containers[0].securityContext!);
}

/** A change to the pod's securityContext. */
function inPod(change: (c: NonNullable<Mutable<PodManifest>["spec"]["securityContext"]>) => void) {
  return (p: Mutable<PodManifest>) => change((p.spec.securityContext ??= {}));
}

/** Forbidden by both profiles, reported alike. */
const both = (problem: Problem) => ({ baseline: problem, restricted: problem });

/**
 * A Windows pod: Kubernetes refuses the Linux-only fields on it (seccomp, capabilities, privilege
 * escalation, read-only root), so they go; runAsNonRoot, which Windows honours, stays.
 */
const windows: Change = (p) => {
  p.spec.os = { name: "windows" };
  delete p.spec.securityContext!.seccompProfile;
  p.spec.containers[0].securityContext = {};
};

/** With the node's network, Kubernetes makes every declared container port a host port. */
const hostNetworkPort: Also = [
  "pss-host-ports",
  (pod: string) => `${nginx(pod)}: port 80 is bound to hostPort 80 (hostNetwork defaults it)`,
];

/** A hostProcess pod must share the node's network, so its port is a host port too. */
const hostProcessPod: Change = (p) => {
  p.spec.hostNetwork = true;
};
const hostProcessAlso: readonly Also[] = [
  ["pss-host-namespaces", (pod: string) => `${pod}: spec.hostNetwork is true`],
  hostNetworkPort,
];

/** A source of each volume type, with the fields Kubernetes' validation requires of it. */
export const VOLUME_SOURCES: Readonly<Record<string, object>> = {
  configMap: { name: "lab-config" },
  csi: { driver: "csi.example.com" },
  downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] },
  emptyDir: {},
  ephemeral: {
    volumeClaimTemplate: {
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    },
  },
  image: { reference: "busybox:1.37.0", pullPolicy: "IfNotPresent" },
  persistentVolumeClaim: { claimName: "lab-data" },
  projected: { sources: [{ configMap: { name: "lab-config" } }] },
  secret: { secretName: "lab-secret" },
  hostPath: { path: "/srv" },
  gcePersistentDisk: { pdName: "lab-disk" },
  awsElasticBlockStore: { volumeID: "vol-0123456789abcdef0" },
  gitRepo: { repository: "https://git.example.invalid/lab.git" },
  nfs: { server: "10.0.0.1", path: "/export" },
  iscsi: { targetPortal: "10.0.0.1:3260", iqn: "iqn.2001-04.com.example:lab", lun: 0 },
  glusterfs: { endpoints: "glusterfs-cluster", path: "lab" },
  rbd: { monitors: ["10.0.0.1:6789"], image: "lab" },
  flexVolume: { driver: "example.com/lvm" },
  cinder: { volumeID: "lab-volume" },
  cephfs: { monitors: ["10.0.0.1:6789"] },
  flocker: { datasetName: "lab" },
  fc: { targetWWNs: ["500a0982991b8dc5"], lun: 0 },
  azureFile: { secretName: "lab-secret", shareName: "lab" },
  vsphereVolume: { volumePath: "[datastore1] volumes/lab.vmdk" },
  quobyte: { registry: "registry.example.invalid:7861", volume: "lab" },
  azureDisk: { diskName: "lab.vhd", diskURI: "https://lab.blob.core.windows.net/vhds/lab.vhd" },
  portworxVolume: { volumeID: "lab-volume" },
  photonPersistentDisk: { pdID: "lab-disk" },
  scaleIO: { gateway: "https://scaleio.example.invalid", system: "lab", secretRef: { name: "s" } },
  storageos: { volumeName: "lab" },
};

/** The volume types restricted refuses, as Pod Security Admission lists them. */
const RESTRICTED_OUT = Object.keys(VOLUME_SOURCES).filter(
  (type) => !RESTRICTED_VOLUME_TYPES.includes(type) && type !== "hostPath",
);

/** A pod in a user namespace: root inside it is not root on the node. */
const userNamespace: Change = (p) => {
  p.spec.hostUsers = false;
};

export const CASES: Case[] = [
  // HostProcess
  {
    control: "pss-host-process",
    value: "hostProcess false on the pod and the container",
    change: (p) => {
      inPod((c) => (c.windowsOptions = { hostProcess: false }))(p);
      inContainer((c) => (c.windowsOptions = { hostProcess: false }))(p);
    },
  },
  {
    control: "pss-host-process",
    value: "hostProcess true on the pod",
    change: (p) => {
      hostProcessPod(p);
      inPod((c) => (c.windowsOptions = { hostProcess: true }))(p);
    },
    ...both((pod) => `${pod}: spec.securityContext.windowsOptions.hostProcess is true`),
    also: hostProcessAlso,
  },
  {
    control: "pss-host-process",
    value: "hostProcess true on every container, the init container too",
    change: (p) => {
      hostProcessPod(p);
      inContainer((c) => (c.windowsOptions = { hostProcess: true }))(p);
      p.spec.initContainers = [
        helper("setup", (c) => (c.securityContext!.windowsOptions = { hostProcess: true })),
      ];
    },
    ...both(
      (pod) => `${pod}, init container setup: securityContext.windowsOptions.hostProcess is true`,
    ),
    also: [
      [
        "pss-host-process",
        (pod) => `${nginx(pod)}: securityContext.windowsOptions.hostProcess is true`,
      ],
      ...hostProcessAlso,
    ],
  },
  // Host Namespaces
  ...(["hostNetwork", "hostPID", "hostIPC"] as const).flatMap((field): Case[] => [
    {
      control: "pss-host-namespaces",
      value: `${field} false`,
      change: (p) => {
        p.spec[field] = false;
      },
    },
    {
      control: "pss-host-namespaces",
      value: `${field} true`,
      change: (p) => {
        p.spec[field] = true;
      },
      ...both((pod) => `${pod}: spec.${field} is true`),
      also: field === "hostNetwork" ? [hostNetworkPort] : [],
    },
  ]),
  // Privileged Containers
  {
    control: "pss-privileged",
    value: "privileged unset",
    change: inContainer((c) => delete c.privileged),
  },
  {
    control: "pss-privileged",
    value: "privileged true",
    change: inContainer((c) => {
      c.privileged = true;
      // Kubernetes refuses privileged with allowPrivilegeEscalation false.
      delete c.allowPrivilegeEscalation;
    }),
    ...both((pod) => `${nginx(pod)}: securityContext.privileged is true`),
    also: [
      [
        "pss-privilege-escalation",
        (pod) =>
          `${nginx(pod)}: securityContext.allowPrivilegeEscalation is unset (which allows it)`,
        "restricted",
      ],
    ],
  },
  {
    control: "pss-privileged",
    value: "privileged true on an ephemeral container",
    change: (p) => {
      p.spec.ephemeralContainers = [
        helper("debug", (c) => {
          c.securityContext!.privileged = true;
          delete c.securityContext!.allowPrivilegeEscalation;
        }),
      ];
    },
    ...both((pod) => `${pod}, ephemeral container debug: securityContext.privileged is true`),
    also: [
      [
        "pss-privilege-escalation",
        (pod) =>
          `${pod}, ephemeral container debug: securityContext.allowPrivilegeEscalation is unset (which allows it)`,
        "restricted",
      ],
    ],
  },
  // Capabilities: baseline's list, then restricted's drop ALL and NET_BIND_SERVICE
  ...BASELINE_CAPABILITIES.map((capability): Case => ({
    control: "pss-capabilities",
    value: `adding ${capability}`,
    change: inContainer((c) => (c.capabilities = { drop: ["ALL"], add: [capability] })),
    restricted:
      capability === "NET_BIND_SERVICE"
        ? undefined
        : (pod) => `${nginx(pod)} adds capability ${capability}`,
  })),
  ...["NET_RAW", "SYS_ADMIN", "CAP_CHOWN"].map((capability): Case => ({
    control: "pss-capabilities",
    value: `adding ${capability}`,
    change: inContainer((c) => (c.capabilities = { drop: ["ALL"], add: [capability] })),
    ...both((pod) => `${nginx(pod)} adds capability ${capability}`),
  })),
  {
    control: "pss-capabilities",
    value: "an init container adding NET_RAW",
    change: (p) => {
      p.spec.initContainers = [
        helper("setup", (c) => (c.securityContext!.capabilities!.add = ["NET_RAW"])),
      ];
    },
    ...both((pod) => `${pod}, init container setup adds capability NET_RAW`),
  },
  {
    control: "pss-capabilities",
    value: "dropping ALL and one more",
    change: inContainer((c) => (c.capabilities = { drop: ["ALL", "NET_RAW"] })),
  },
  {
    control: "pss-capabilities",
    value: "dropping nothing",
    change: inContainer((c) => delete c.capabilities),
    restricted: (pod) => `${nginx(pod)}: capabilities.drop is unset`,
  },
  {
    control: "pss-capabilities",
    value: "dropping only NET_RAW",
    change: inContainer((c) => (c.capabilities = { drop: ["NET_RAW"] })),
    restricted: (pod) => `${nginx(pod)}: capabilities.drop is [NET_RAW]`,
  },
  {
    control: "pss-capabilities",
    value: "a Windows pod dropping nothing",
    change: windows,
  },
  // HostPath Volumes: under restricted, Pod Security Admission names it a restricted volume type
  {
    control: "pss-host-path",
    value: "an emptyDir volume",
    change: (p) => {
      p.spec.volumes = [{ name: "tmp", emptyDir: {} }];
    },
  },
  {
    control: "pss-host-path",
    value: "a hostPath volume",
    change: (p) => {
      p.spec.volumes = [{ name: "root", hostPath: { path: "/" } }];
    },
    baseline: (pod) => `${pod}: volume root is a hostPath (/)`,
    also: [["pss-volume-types", (pod) => `${pod}: volume root is of type hostPath`, "restricted"]],
  },
  // Host Ports
  {
    control: "pss-host-ports",
    value: "hostPort 0",
    change: (p) => {
      p.spec.containers[0].ports![0].hostPort = 0;
    },
  },
  {
    control: "pss-host-ports",
    value: "hostPort 8080",
    change: (p) => {
      p.spec.containers[0].ports![0].hostPort = 8080;
    },
    ...both((pod) => `${nginx(pod)}: port 80 is bound to hostPort 8080`),
  },
  // Host Probes / Lifecycle Hooks: a check of v1.34 and later
  {
    control: "pss-host-probes",
    value: "probes and hooks with an empty host",
    change: (p) => {
      const [container] = p.spec.containers;
      container.readinessProbe = { httpGet: { path: "/", port: "http", host: "" } };
      container.lifecycle = { preStop: { httpGet: { path: "/", port: "http", host: "" } } };
    },
  },
  ...(
    [
      ["readinessProbe", "httpGet", "10.0.0.1"],
      ["livenessProbe", "tcpSocket", "node.example.invalid"],
      ["startupProbe", "httpGet", "169.254.169.254"],
    ] as const
  ).map(([probe, action, host]): Case => ({
    control: "pss-host-probes",
    value: `${probe}.${action}.host ${host}`,
    change: (p) => {
      p.spec.containers[0][probe] =
        action === "httpGet"
          ? { httpGet: { path: "/", port: "http", host } }
          : { tcpSocket: { port: "http", host } };
    },
    ...both((pod) => `${nginx(pod)}: ${probe}.${action}.host is ${host}`),
    at: { "v1.33": { baseline: null, restricted: null } },
  })),
  ...(
    [
      ["postStart", "httpGet"],
      ["preStop", "tcpSocket"],
    ] as const
  ).map(([hook, action]): Case => ({
    control: "pss-host-probes",
    value: `lifecycle.${hook}.${action}.host`,
    change: (p) => {
      p.spec.containers[0].lifecycle = {
        [hook]:
          action === "httpGet"
            ? { httpGet: { path: "/", port: 80, host: "10.0.0.1" } }
            : { tcpSocket: { port: 80, host: "10.0.0.1" } },
      };
    },
    ...both((pod) => `${nginx(pod)}: lifecycle.${hook}.${action}.host is 10.0.0.1`),
    at: { "v1.33": { baseline: null, restricted: null } },
  })),
  // AppArmor
  ...["runtime/default", "localhost/lab-profile"].map((value): Case => ({
    control: "pss-apparmor",
    value: `the annotation ${value}`,
    change: (p) => {
      p.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/nginx": value };
    },
  })),
  {
    control: "pss-apparmor",
    value: "the annotation unconfined",
    change: (p) => {
      p.metadata.annotations = {
        "container.apparmor.security.beta.kubernetes.io/nginx": "unconfined",
      };
    },
    ...both(
      (pod) =>
        `${pod}: annotation container.apparmor.security.beta.kubernetes.io/nginx is unconfined`,
    ),
  },
  {
    control: "pss-apparmor",
    value: "appArmorProfile RuntimeDefault on pod and container",
    change: (p) => {
      inPod((c) => (c.appArmorProfile = { type: "RuntimeDefault" }))(p);
      inContainer((c) => (c.appArmorProfile = { type: "RuntimeDefault" }))(p);
    },
  },
  {
    control: "pss-apparmor",
    value: "appArmorProfile Localhost on pod and container",
    change: (p) => {
      inPod((c) => (c.appArmorProfile = { type: "Localhost", localhostProfile: "lab-profile" }))(p);
      inContainer(
        (c) => (c.appArmorProfile = { type: "Localhost", localhostProfile: "lab-profile" }),
      )(p);
    },
  },
  {
    control: "pss-apparmor",
    value: "appArmorProfile Unconfined on the pod",
    change: inPod((c) => (c.appArmorProfile = { type: "Unconfined" })),
    ...both((pod) => `${pod}: spec.securityContext.appArmorProfile.type is Unconfined`),
  },
  {
    control: "pss-apparmor",
    value: "appArmorProfile Unconfined on the container",
    change: inContainer((c) => (c.appArmorProfile = { type: "Unconfined" })),
    ...both((pod) => `${nginx(pod)}: securityContext.appArmorProfile.type is Unconfined`),
  },
  // SELinux
  ...["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"].map(
    (type): Case => ({
      control: "pss-selinux",
      value: `type "${type}" with a level`,
      change: (p) => {
        inPod((c) => (c.seLinuxOptions = { type, level: "s0:c123,c456" }))(p);
        inContainer((c) => (c.seLinuxOptions = { type, user: "", role: "" }))(p);
      },
    }),
  ),
  {
    control: "pss-selinux",
    value: "type spc_t on the pod",
    change: inPod((c) => (c.seLinuxOptions = { type: "spc_t" })),
    ...both((pod) => `${pod}: spec.securityContext.seLinuxOptions.type is spc_t`),
  },
  {
    control: "pss-selinux",
    value: "type unconfined_t on the container",
    change: inContainer((c) => (c.seLinuxOptions = { type: "unconfined_t" })),
    ...both((pod) => `${nginx(pod)}: securityContext.seLinuxOptions.type is unconfined_t`),
  },
  ...(["user", "role"] as const).map((field): Case => ({
    control: "pss-selinux",
    value: `a ${field}`,
    change: inContainer((c) => (c.seLinuxOptions = { [field]: `system_${field[0]}` })),
    ...both(
      (pod) => `${nginx(pod)}: securityContext.seLinuxOptions.${field} is system_${field[0]}`,
    ),
  })),
  // /proc Mount Type: v1.35 lets baseline unmask /proc in a user namespace
  {
    control: "pss-proc-mount",
    value: "procMount Default",
    change: inContainer((c) => (c.procMount = "Default")),
  },
  {
    control: "pss-proc-mount",
    value: "procMount Unmasked",
    change: inContainer((c) => (c.procMount = "Unmasked")),
    ...both((pod) => `${nginx(pod)}: securityContext.procMount is Unmasked`),
  },
  {
    control: "pss-proc-mount",
    value: "procMount Unmasked in a user namespace",
    change: (p) => {
      userNamespace(p);
      inContainer((c) => (c.procMount = "Unmasked"))(p);
    },
    ...both((pod) => `${nginx(pod)}: securityContext.procMount is Unmasked`),
    at: { "v1.35": { baseline: null } },
  },
  // Seccomp
  {
    control: "pss-seccomp",
    value: "Localhost on the pod",
    change: inPod((c) => (c.seccompProfile = { type: "Localhost", localhostProfile: "lab.json" })),
  },
  {
    control: "pss-seccomp",
    value: "RuntimeDefault on the container only",
    change: (p) => {
      delete p.spec.securityContext!.seccompProfile;
      inContainer((c) => (c.seccompProfile = { type: "RuntimeDefault" }))(p);
    },
  },
  {
    control: "pss-seccomp",
    value: "Unconfined on the pod",
    change: inPod((c) => (c.seccompProfile = { type: "Unconfined" })),
    ...both((pod) => `${pod}: spec.securityContext.seccompProfile.type is Unconfined`),
  },
  {
    control: "pss-seccomp",
    value: "Unconfined on the container, overriding the pod",
    change: inContainer((c) => (c.seccompProfile = { type: "Unconfined" })),
    ...both((pod) => `${nginx(pod)}: seccomp profile is Unconfined`),
  },
  {
    control: "pss-seccomp",
    value: "unset on pod and container",
    change: (p) => {
      delete p.spec.securityContext!.seccompProfile;
    },
    restricted: (pod) => `${nginx(pod)}: seccomp profile is unset at pod and container level`,
  },
  {
    control: "pss-seccomp",
    value: "unset in a Windows pod",
    change: windows,
  },
  // Sysctls
  ...SAFE_SYSCTLS.map((name): Case => ({
    control: "pss-sysctls",
    value: `the safe ${name}`,
    change: inPod((c) => (c.sysctls = [{ name, value: "1" }])),
  })),
  ...["kernel.msgmax", "net.ipv4.ip_forward"].map((name): Case => ({
    control: "pss-sysctls",
    value: `the unsafe ${name}`,
    change: inPod(
      (c) =>
        (c.sysctls = [
          { name: "net.ipv4.tcp_syncookies", value: "1" },
          { name, value: "1" },
        ]),
    ),
    ...both((pod) => `${pod}: sysctl ${name} is not one of the safe set`),
  })),
  // Volume Types
  ...RESTRICTED_VOLUME_TYPES.map((type): Case => ({
    control: "pss-volume-types",
    value: `a ${type} volume`,
    change: (p) => {
      p.spec.volumes = [{ name: "data", [type]: VOLUME_SOURCES[type] }];
    },
  })),
  ...RESTRICTED_OUT.map((type): Case => ({
    control: "pss-volume-types",
    value: `a ${type} volume`,
    change: (p) => {
      p.spec.volumes = [{ name: "data", [type]: VOLUME_SOURCES[type] }];
    },
    restricted: (pod) => `${pod}: volume data is of type ${type}`,
  })),
  {
    control: "pss-volume-types",
    value: "a hostPath volume",
    change: (p) => {
      p.spec.volumes = [{ name: "root", hostPath: { path: "/" } }];
    },
    restricted: (pod) => `${pod}: volume root is of type hostPath`,
    also: [["pss-host-path", (pod) => `${pod}: volume root is a hostPath (/)`, "baseline"]],
  },
  // Privilege Escalation
  {
    control: "pss-privilege-escalation",
    value: "allowPrivilegeEscalation unset",
    change: inContainer((c) => delete c.allowPrivilegeEscalation),
    restricted: (pod) =>
      `${nginx(pod)}: securityContext.allowPrivilegeEscalation is unset (which allows it)`,
  },
  {
    control: "pss-privilege-escalation",
    value: "allowPrivilegeEscalation true",
    change: inContainer((c) => (c.allowPrivilegeEscalation = true)),
    restricted: (pod) => `${nginx(pod)}: securityContext.allowPrivilegeEscalation is true`,
  },
  {
    control: "pss-privilege-escalation",
    value: "allowPrivilegeEscalation unset in a Windows pod",
    change: windows,
  },
  // Running as Non-root: v1.35 waives it in a user namespace
  {
    control: "pss-run-as-non-root",
    value: "runAsNonRoot true on the container only",
    change: (p) => {
      delete p.spec.securityContext!.runAsNonRoot;
      inContainer((c) => (c.runAsNonRoot = true))(p);
    },
  },
  {
    control: "pss-run-as-non-root",
    value: "runAsNonRoot unset",
    change: (p) => {
      delete p.spec.securityContext!.runAsNonRoot;
    },
    restricted: (pod) =>
      `${nginx(pod)}: runAsNonRoot is unset at pod and container level, so it may run as root`,
  },
  {
    control: "pss-run-as-non-root",
    value: "runAsNonRoot false on the pod",
    change: inPod((c) => (c.runAsNonRoot = false)),
    restricted: (pod) => `${pod}: spec.securityContext.runAsNonRoot is false`,
  },
  {
    control: "pss-run-as-non-root",
    value: "runAsNonRoot false on the container, overriding the pod",
    change: inContainer((c) => (c.runAsNonRoot = false)),
    restricted: (pod) => `${nginx(pod)}: securityContext.runAsNonRoot is false`,
  },
  {
    control: "pss-run-as-non-root",
    value: "runAsNonRoot unset in a user namespace",
    change: (p) => {
      userNamespace(p);
      delete p.spec.securityContext!.runAsNonRoot;
    },
    restricted: (pod) =>
      `${nginx(pod)}: runAsNonRoot is unset at pod and container level, so it may run as root`,
    at: { "v1.35": { restricted: null } },
  },
  // Running as Non-root user: v1.35 waives it in a user namespace
  {
    control: "pss-run-as-user",
    value: "non-zero runAsUser on pod and container",
    change: (p) => {
      inPod((c) => (c.runAsUser = 1000))(p);
      inContainer((c) => (c.runAsUser = 101))(p);
    },
  },
  {
    control: "pss-run-as-user",
    value: "runAsUser 0 on the pod",
    change: inPod((c) => (c.runAsUser = 0)),
    restricted: (pod) => `${pod}: spec.securityContext.runAsUser is 0`,
  },
  {
    control: "pss-run-as-user",
    value: "runAsUser 0 on the container",
    change: inContainer((c) => (c.runAsUser = 0)),
    restricted: (pod) => `${nginx(pod)}: securityContext.runAsUser is 0`,
  },
  {
    control: "pss-run-as-user",
    value: "runAsUser 0 in a user namespace",
    change: (p) => {
      userNamespace(p);
      inContainer((c) => (c.runAsUser = 0))(p);
    },
    restricted: (pod) => `${nginx(pod)}: securityContext.runAsUser is 0`,
    at: { "v1.35": { restricted: null } },
  },
];
