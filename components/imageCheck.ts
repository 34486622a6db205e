import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { workloadLabels } from "./labels";

/** Arguments of {@link imageCheck}. */
export interface ImageCheckArgs {
  /**
   * The Job's name: fixed, so that two previews of one commit plan the same Job and the lab claims
   * it like its other objects (one stack, one lab).
   */
  readonly jobName: string;
  /** Namespace to run in. */
  readonly namespace: pulumi.Input<string>;
  /** What the image is checked for, the `app` of the check's pod: `nginx-image-check`, say. */
  readonly app: string;
  /** The pod spec the image is checked in: the lab pod's own (user, volumes, security context). */
  readonly podSpec: k8s.types.input.core.v1.PodSpec;
  /** The check: a command of the image that exits 0 only if it can do the pod's job. */
  readonly command: pulumi.Input<string>[];
  /** How long a pull may take: a slow pull is not a failure (the pods' ready timeout). */
  readonly timeoutSeconds: number;
  /** The lab instance, when several share a namespace. */
  readonly instance?: string;
}

/**
 * A startup check of a lab image, before its pod: a Job, child of the pod's component, that runs
 * `command` in the lab pod's own spec (no probes, no restart). The kubernetes provider waits for a
 * Pod until it is Ready or its timeout passes (300 s by default), whatever its containers do; a
 * Job it fails as soon as the Job fails. So an image that cannot serve (no nginx or no applet on
 * its PATH, an nginx that rejects the lab's flags or nginx.conf, a user it cannot run as) fails
 * `pulumi up` in seconds, with what the container said, and the pod is never created. An image
 * that cannot be pulled keeps the Job's pod Pending: that fails at the timeout, with the kubelet's
 * pull error among the provider's messages.
 */
export function imageCheck(
  name: string,
  args: ImageCheckArgs,
  parent: pulumi.Resource,
): k8s.batch.v1.Job {
  const { containers, ...spec } = args.podSpec;
  const labels = workloadLabels(args.app, "image-check", args.instance);
  const timeout = `${args.timeoutSeconds}s`;
  return new k8s.batch.v1.Job(
    name,
    {
      metadata: { name: args.jobName, namespace: args.namespace, labels },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: args.timeoutSeconds,
        template: {
          metadata: { labels },
          spec: {
            ...spec,
            restartPolicy: "Never",
            containers: pulumi.output(containers).apply((list) =>
              list.slice(0, 1).map((container) => ({
                ...container,
                command: args.command,
                // For the check's message: which image it ran.
                env: [
                  ...(container.env ?? []),
                  { name: "POD_TO_POD_IMAGE", value: container.image },
                ],
                readinessProbe: undefined,
                livenessProbe: undefined,
                ports: undefined,
                // What the check printed is the pod's termination message: the provider shows it.
                terminationMessagePolicy: "FallbackToLogsOnError",
              })),
            ),
          },
        },
      },
    },
    { parent, customTimeouts: { create: timeout, update: timeout } },
  );
}

/**
 * A check that the image's shell has every applet or tool a command list, printing what is
 * missing and from which image: the busybox pods' contract.
 */
export function toolsCheck(role: string, tools: readonly string[]): string[] {
  return [
    "sh",
    "-c",
    `missing=; for t in ${tools.join(" ")}; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done; ` +
      `[ -z "$missing" ] || { echo "image $POD_TO_POD_IMAGE cannot serve as ${role}: it has no$missing"; exit 1; }`,
  ];
}
