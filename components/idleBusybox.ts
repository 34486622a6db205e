import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResourceSettings } from "../config";
import { NO_GRACE } from "./podGrace";

/**
 * How a busybox pod of the lab runs. `ping`: root, with NET_RAW and only NET_RAW, because busybox
 * ping opens a raw socket and a non-root user could not use an added capability (the policy pack
 * exempts exactly these pods, by URN). `nobody`: as Pod Security's restricted profile asks, for
 * pods that only fetch and resolve (wget, nslookup).
 */
export type BusyboxPrivilege = "ping" | "nobody";

/** Arguments of {@link idleBusyboxPodSpec}. */
export interface IdleBusyboxArgs {
  /** Name of the one container, the one the checks exec into. */
  readonly containerName: string;
  /** busybox image, pinned by tag or digest. */
  readonly image: pulumi.Input<string>;
  /** When the kubelet pulls the image. */
  readonly imagePullPolicy: pulumi.Input<string>;
  /** CPU and memory requests and limits. */
  readonly resources: pulumi.Input<ResourceSettings>;
  /** Root with NET_RAW, or nobody with nothing. */
  readonly privilege: BusyboxPrivilege;
  /** A small in-memory /tmp for the scripts' files, on a read-only root filesystem. */
  readonly scratch?: boolean;
}

/**
 * What every busybox pod of the lab runs: nothing, until deleted. The walkthrough's `sleep 3600`
 * dies after an hour; this idles for good and answers SIGTERM at once.
 */
const IDLE_COMMAND = [
  "sh",
  "-c",
  "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done",
];

const SECCOMP = { seccompProfile: { type: "RuntimeDefault" } };
const LOCKED_DOWN = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
};

/**
 * The pod spec of an idle busybox pod of the lab (the client, the stranger, the mesh's clients and
 * node probes): one container the checks exec into, no service account token (busybox never calls
 * the API), and no grace on delete (see NO_GRACE). Callers add placement (affinity, the node's
 * network) on top.
 */
export function idleBusyboxPodSpec(args: IdleBusyboxArgs): k8s.types.input.core.v1.PodSpec {
  const ping = args.privilege === "ping";
  return {
    securityContext: ping
      ? SECCOMP
      : { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, ...SECCOMP },
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: NO_GRACE,
    containers: [
      {
        name: args.containerName,
        image: args.image,
        imagePullPolicy: args.imagePullPolicy,
        command: IDLE_COMMAND,
        resources: args.resources,
        securityContext: ping
          ? { runAsUser: 0, ...LOCKED_DOWN, capabilities: { drop: ["ALL"], add: ["NET_RAW"] } }
          : { ...LOCKED_DOWN, capabilities: { drop: ["ALL"] } },
        ...(args.scratch ? { volumeMounts: [{ name: "tmp", mountPath: "/tmp" }] } : {}),
      },
    ],
    ...(args.scratch
      ? { volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "4Mi" } }] }
      : {}),
  };
}
