import { RESTRICTED_VOLUME_TYPES } from "../../../policy/policies";
import {
  Case,
  inContainer,
  inPod,
  nginx,
  RESTRICTED_OUT,
  userNamespace,
  VOLUME_SOURCES,
  windows,
} from "./caseKit";

/** The controls only restricted enforces, each tried both ways. */
export const RESTRICTED_CASES: Case[] = [
  // Volume Types (an image volume is allowed; a 1.33 API server with the ImageVolume gate off, its
  // default, drops it before admission, so it is admitted either way)
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
