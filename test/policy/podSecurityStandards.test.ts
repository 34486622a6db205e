import { describe, expect, it } from "vitest";
import {
  BASELINE_CAPABILITIES,
  Container,
  podSecurityControls,
  podSecurityPolicies,
  Profile,
  RESTRICTED_VOLUME_TYPES,
  SAFE_SYSCTLS,
} from "../../policy/policies";
import { check, goodPod, inCronJob, inDeployment, Mutable, PodManifest, TYPES } from "./harness";

// Each control against the standard's own allowed and forbidden values: a case changes the happy
// path (restricted-clean) in one way and says what each profile reports, as the problem part of
// the one finding it expects. All fifteen pss-* policies run on every case, so a value that another
// control also reported, or reported twice, fails as surely as one that passes unnoticed.

type Change = (pod: Mutable<PodManifest>) => void;

interface Case {
  readonly control: string;
  readonly value: string;
  readonly change: Change;
  /** The finding's problem under baseline, given the pod's subject; unset where baseline allows. */
  readonly baseline?: (pod: string) => string;
  /** The same under restricted. */
  readonly restricted?: (pod: string) => string;
}

const PROFILES: readonly Profile[] = ["baseline", "restricted"];

/** The happy path's one container, as a message names it. */
const nginx = (pod: string) => `${pod}, container nginx`;

/** A container that restricted accepts, for the init and ephemeral lists. */
function helper(name: string, change?: (c: Mutable<Container>) => void): Mutable<Container> {
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
const both = (problem: (pod: string) => string) => ({ baseline: problem, restricted: problem });

const windows: Change = (p) => {
  p.spec.os = { name: "windows" };
};

const CASES: Case[] = [
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
    change: inPod((c) => (c.windowsOptions = { hostProcess: true })),
    ...both((pod) => `${pod}: spec.securityContext.windowsOptions.hostProcess is true`),
  },
  {
    control: "pss-host-process",
    value: "hostProcess true on an init container",
    change: (p) => {
      p.spec.initContainers = [
        helper("setup", (c) => (c.securityContext!.windowsOptions = { hostProcess: true })),
      ];
    },
    ...both(
      (pod) => `${pod}, init container setup: securityContext.windowsOptions.hostProcess is true`,
    ),
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
    change: inContainer((c) => (c.privileged = true)),
    ...both((pod) => `${nginx(pod)}: securityContext.privileged is true`),
  },
  {
    control: "pss-privileged",
    value: "privileged true on an ephemeral container",
    change: (p) => {
      p.spec.ephemeralContainers = [helper("debug", (c) => (c.securityContext!.privileged = true))];
    },
    ...both((pod) => `${pod}, ephemeral container debug: securityContext.privileged is true`),
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
    change: (p) => {
      windows(p);
      delete p.spec.containers[0].securityContext!.capabilities;
    },
  },
  // HostPath Volumes
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
    ...both((pod) => `${pod}: volume root is a hostPath (/)`),
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
  ...["RuntimeDefault", "Localhost"].map((type): Case => ({
    control: "pss-apparmor",
    value: `appArmorProfile ${type} on pod and container`,
    change: (p) => {
      inPod((c) => (c.appArmorProfile = { type, localhostProfile: "lab-profile" }))(p);
      inContainer((c) => (c.appArmorProfile = { type, localhostProfile: "lab-profile" }))(p);
    },
  })),
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
  // /proc Mount Type
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
      p.spec.hostUsers = false;
      inContainer((c) => (c.procMount = "Unmasked"))(p);
    },
    restricted: (pod) => `${nginx(pod)}: securityContext.procMount is Unmasked`,
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
    change: (p) => {
      windows(p);
      delete p.spec.securityContext!.seccompProfile;
    },
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
      p.spec.volumes = [{ name: "data", [type]: {} }];
    },
  })),
  ...[
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "portworxVolume",
    "photonPersistentDisk",
    "scaleIO",
    "storageos",
  ].map((type): Case => ({
    control: "pss-volume-types",
    value: `a ${type} volume`,
    change: (p) => {
      p.spec.volumes = [{ name: "data", [type]: {} }];
    },
    restricted: (pod) => `${pod}: volume data is of type ${type}`,
  })),
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
    change: (p) => {
      windows(p);
      delete p.spec.containers[0].securityContext!.allowPrivilegeEscalation;
    },
  },
  // Running as Non-root
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
      p.spec.hostUsers = false;
      delete p.spec.securityContext!.runAsNonRoot;
    },
  },
  // Running as Non-root user
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
      p.spec.hostUsers = false;
      inContainer((c) => (c.runAsUser = 0))(p);
    },
  },
];

/** The pod of each case as each kind carries it, with the subject messages give it. */
const KINDS = [
  { kind: "Pod", type: TYPES.pod, wrap: (pod: PodManifest) => pod, subject: "Pod nginx-server" },
  {
    kind: "Deployment",
    type: TYPES.deployment,
    wrap: (pod: PodManifest) => inDeployment(pod, "web"),
    subject: "Deployment web (pod template)",
  },
  {
    kind: "CronJob",
    type: TYPES.cronJob,
    wrap: (pod: PodManifest) => inCronJob(pod, "probe"),
    subject: "CronJob probe (pod template)",
  },
];

/** `policy: problem` of every finding of the pss-* policies under a profile. */
async function findings(props: object, type: string, profile: Profile): Promise<string[]> {
  const found: string[] = [];
  for (const policy of podSecurityPolicies) {
    for (const { message, level } of await check(policy, props, { type, config: { profile } })) {
      expect(level).toBe("mandatory");
      found.push(`${policy.name}: ${message.split("; accepted: ")[0]}`);
    }
  }
  return found;
}

describe.each(KINDS)("the Pod Security Standards on a $kind", ({ type, wrap, subject }) => {
  it("accept the happy path under both profiles", async () => {
    for (const profile of PROFILES) {
      expect(await findings(wrap(goodPod()), type, profile), profile).toEqual([]);
    }
  });

  it.each(CASES.map((c) => [`${c.control}: ${c.value}`, c] as const))("%s", async (_, c) => {
    const props = wrap(goodPod(c.change));
    for (const profile of PROFILES) {
      const problem = c[profile];
      const expected = problem === undefined ? [] : [`${c.control}: ${problem(subject)}`];
      expect(await findings(props, type, profile), profile).toEqual(expected);
    }
  });
});

describe("the cases", () => {
  it("try every control both ways under each profile it applies in", () => {
    for (const control of podSecurityControls) {
      const cases = CASES.filter((c) => c.control === control.name);
      const profiles: Profile[] =
        control.level === "baseline" ? ["baseline", "restricted"] : ["restricted"];
      for (const profile of profiles) {
        expect(
          cases.some((c) => c[profile] === undefined),
          `${control.name} allowed, ${profile}`,
        ).toBe(true);
        expect(
          cases.some((c) => c[profile] !== undefined),
          `${control.name} forbidden, ${profile}`,
        ).toBe(true);
      }
    }
  });

  it("name only controls of the pack", () => {
    const names = podSecurityControls.map((c) => c.name);
    expect(CASES.filter((c) => !names.includes(c.control))).toEqual([]);
  });
});

describe("every finding", () => {
  it("says what the standard accepts instead", async () => {
    const pod = goodPod((p) => {
      p.spec.hostNetwork = true;
      inContainer((c) => (c.runAsUser = 0))(p);
    });
    for (const policy of podSecurityPolicies) {
      for (const { message } of await check(policy, pod)) {
        expect(message).toMatch(/^Pod nginx-server.*; accepted: .+\.$/);
      }
    }
  });
});
