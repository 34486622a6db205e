import { Container, Profile, RESTRICTED_VOLUME_TYPES, Version } from "../../../policy/policies";
import { Mutable, PodManifest } from "../harness";

// What the case tables (baselineCases.ts, restrictedCases.ts) are made of. Each case tries one
// control against the standard's own allowed and forbidden values, at every version the pack
// knows: it changes the happy path (restricted-clean) in one way and says what each profile
// reports, as the problem part of each finding it expects. Each case is a pod the API server
// accepts as valid (or says when it may not, `invalid`), so the same table is the live
// reference's (test/real/podSecurityAdmission): where Kubernetes' own validation or defaulting
// ties a second field to the one under test (a hostProcess pod must share the node's network,
// which makes its ports host ports), the case expects the second control's finding too.

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
  /**
   * Where the API server may refuse the pod as invalid before Pod Security Admission sees it: what
   * its message says, and why. The pack refuses it too; the live reference accepts either outcome.
   */
  readonly invalid?: { readonly message: RegExp; readonly because: string };
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
export function inContainer(
  change: (c: NonNullable<Mutable<Container>["securityContext"]>) => void,
) {
  return (p: Mutable<PodManifest>) => change(p.spec.containers[0].securityContext!);
}

/** A change to the pod's securityContext. */
export function inPod(
  change: (c: NonNullable<Mutable<PodManifest>["spec"]["securityContext"]>) => void,
) {
  return (p: Mutable<PodManifest>) => change((p.spec.securityContext ??= {}));
}

/** Forbidden by both profiles, reported alike. */
export const both = (problem: Problem) => ({ baseline: problem, restricted: problem });

/**
 * A Windows pod: Kubernetes refuses the Linux-only fields on it (seccomp, capabilities, privilege
 * escalation, read-only root), so they go; runAsNonRoot, which Windows honours, stays.
 */
export const windows: Change = (p) => {
  p.spec.os = { name: "windows" };
  delete p.spec.securityContext!.seccompProfile;
  p.spec.containers[0].securityContext = {};
};

/** With the node's network, Kubernetes makes every declared container port a host port. */
export const hostNetworkPort: Also = [
  "pss-host-ports",
  (pod: string) => `${nginx(pod)}: port 80 is bound to hostPort 80 (hostNetwork defaults it)`,
];

/** A hostProcess pod must share the node's network, so its port is a host port too. */
export const hostProcessPod: Change = (p) => {
  p.spec.hostNetwork = true;
};
export const hostProcessAlso: readonly Also[] = [
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
  scaleIO: {
    gateway: "https://scaleio.example.invalid",
    system: "lab",
    volumeName: "lab",
    secretRef: { name: "s" },
  },
  storageos: { volumeName: "lab" },
};

/** The volume types restricted refuses, as Pod Security Admission lists them. */
export const RESTRICTED_OUT = Object.keys(VOLUME_SOURCES).filter(
  (type) => !RESTRICTED_VOLUME_TYPES.includes(type) && type !== "hostPath",
);

/** A pod in a user namespace: root inside it is not root on the node. */
export const userNamespace: Change = (p) => {
  p.spec.hostUsers = false;
};
