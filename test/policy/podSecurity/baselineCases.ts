import { BASELINE_CAPABILITIES, SAFE_SYSCTLS } from "../../../policy/policies";
import {
  both,
  Case,
  helper,
  hostNetworkPort,
  hostProcessAlso,
  hostProcessPod,
  inContainer,
  inPod,
  nginx,
  userNamespace,
  windows,
} from "./caseKit";

/** The baseline profile's controls, each tried both ways (restricted enforces them too). */
export const BASELINE_CASES: Case[] = [
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
    invalid: {
      message: /`hostUsers` must be false to use `Unmasked`/,
      because: "Kubernetes unmasks /proc only in a user namespace",
    },
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
];
