import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResourceSettings } from "../config";
import { IDENTITY_DIR, IDENTITY_FILE } from "./nginxConf";
import { NO_GRACE } from "./podGrace";

/** How the lab's nginx servers run: the lab's nginx.conf, errors to stderr (nginx >= 1.19.5). */
export const NGINX_COMMAND: readonly string[] = [
  "nginx",
  "-e",
  "stderr",
  "-c",
  "/etc/pod-to-pod-nginx/nginx.conf",
];

/** Arguments of {@link nginxPodSpec}. */
export interface NginxPodArgs {
  /** nginx image, pinned by tag or digest. */
  readonly image: pulumi.Input<string>;
  /** When the kubelet pulls the image. */
  readonly imagePullPolicy: pulumi.Input<string>;
  /** CPU and memory requests and limits. */
  readonly resources: pulumi.Input<ResourceSettings>;
  /** The named port the probes and Services use, and the port it is on. */
  readonly port: { readonly name: string; readonly number: number };
  /** Other ports nginx.conf listens on, by name. */
  readonly otherPorts?: ReadonlyArray<{ readonly name: string; readonly number: number }>;
  /** The ConfigMap holding nginx.conf (components/nginxConf.ts). */
  readonly confMap: pulumi.Input<string>;
}

/** The user the lab's nginx runs as: the official nginx image's own nginx user. */
export const NGINX_USER = 101;

/**
 * The pod spec of one of the lab's nginx servers (the walkthrough's nginx-server, the mesh's echo
 * servers): nginx as its image's own unprivileged user on a read-only root filesystem, with the
 * lab's nginx.conf and its pod's UID from the Downward API, which it answers on the identity path.
 * Callers add placement on top.
 */
export function nginxPodSpec(args: NginxPodArgs): k8s.types.input.core.v1.PodSpec {
  const ports = [args.port, ...(args.otherPorts ?? [])];
  return {
    securityContext: {
      runAsNonRoot: true,
      runAsUser: NGINX_USER,
      runAsGroup: NGINX_USER,
      seccompProfile: { type: "RuntimeDefault" },
      // A namespaced, "safe" sysctl: lets the non-root nginx bind a port below 1024 with no capability.
      ...(Math.min(...ports.map((p) => p.number)) < 1024
        ? { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] }
        : {}),
    },
    // nginx never calls the Kubernetes API: no token to mount.
    automountServiceAccountToken: false,
    // Nothing to drain: the checks have read its log by the time the lab goes (see NO_GRACE).
    terminationGracePeriodSeconds: NO_GRACE,
    containers: [
      {
        name: "nginx",
        image: args.image,
        imagePullPolicy: args.imagePullPolicy,
        command: [...NGINX_COMMAND],
        ports: ports.map((p) => ({ name: p.name, containerPort: p.number, protocol: "TCP" })),
        readinessProbe: {
          httpGet: { path: "/", port: args.port.name },
          periodSeconds: 2,
          failureThreshold: 3,
        },
        // Only "is the process accepting connections": a restart cannot fix a slow upstream.
        livenessProbe: {
          tcpSocket: { port: args.port.name },
          periodSeconds: 10,
          failureThreshold: 3,
        },
        resources: args.resources,
        securityContext: {
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
        volumeMounts: [
          { name: "conf", mountPath: "/etc/pod-to-pod-nginx", readOnly: true },
          { name: "identity", mountPath: IDENTITY_DIR, readOnly: true },
          { name: "tmp", mountPath: "/tmp" },
        ],
      },
    ],
    volumes: [
      { name: "conf", configMap: { name: args.confMap } },
      // The pod's own UID, written by the kubelet: what nginx answers on the identity path.
      {
        name: "identity",
        downwardAPI: {
          items: [{ path: IDENTITY_FILE, fieldRef: { fieldPath: "metadata.uid" } }],
        },
      },
      { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
    ],
  };
}
