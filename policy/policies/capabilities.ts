import { configOf } from "./config";
import { containersOf, validatePods } from "./pods";
import { reportAdvisory } from "./report";
import { ResourceValidationPolicy } from "./types";

/** The label that names a workload: what the allow-list is keyed by. */
export const NAME_LABEL = "app.kubernetes.io/name";

/** Config of {@link containerCapabilities}. */
export interface CapabilitiesConfig {
  /**
   * Capabilities that may be added back after drop ALL, by the pod's app.kubernetes.io/name label;
   * the key "*" applies to every pod.
   */
  readonly allowedCapabilities: Readonly<Record<string, readonly string[]>>;
}

/** busybox's ping needs a raw socket, and nothing else needs anything. */
export const CAPABILITIES_DEFAULTS: CapabilitiesConfig = {
  allowedCapabilities: { busybox: ["NET_RAW"] },
};

/** `cap_net_raw` and `CAP_NET_RAW` are both NET_RAW to the container runtime. */
function normalize(capability: string): string {
  return capability.toUpperCase().replace(/^CAP_/, "");
}

/**
 * Every container drops ALL capabilities and adds back only what the allow-list permits for its
 * workload. The allow-list is keyed by the pod's app.kubernetes.io/name label rather than the pod
 * name: a Deployment's pods have no fixed name, and required-labels makes the label mandatory.
 * Each capability added under the allow-list is reported as an advisory message, so the
 * exemption shows in every preview instead of passing silently.
 */
export const containerCapabilities: ResourceValidationPolicy = {
  name: "container-capabilities",
  description:
    "Containers drop ALL capabilities and add back only those policy config allows for their app.kubernetes.io/name.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedCapabilities: {
        type: "object",
        description:
          'Capabilities each workload may add after drop ALL, keyed by its app.kubernetes.io/name label ("*" for all), e.g. {"busybox": ["NET_RAW"]}.',
        additionalProperties: {
          type: "array",
          items: { type: "string", pattern: "^[A-Za-z_]+$" },
        },
        default: CAPABILITIES_DEFAULTS.allowedCapabilities,
      },
    },
  },
  validateResource: validatePods((pod, args, report) => {
    // Read only when a container adds something or keeps capabilities: a pod whose labels a
    // preview cannot know is then still checked when it simply drops ALL.
    const allowList = () => {
      const { allowedCapabilities } = configOf(args, CAPABILITIES_DEFAULTS);
      const app = pod.labels[NAME_LABEL];
      const allowed = [
        ...(app !== undefined ? (allowedCapabilities[app] ?? []) : []),
        ...(allowedCapabilities["*"] ?? []),
      ].map(normalize);
      const owner = app !== undefined ? `${NAME_LABEL}=${app}` : `a pod without ${NAME_LABEL}`;
      const accepted =
        allowed.length > 0
          ? `add only ${allowed.join(", ")} (allowedCapabilities for ${owner})`
          : `add nothing (allowedCapabilities has no entry for ${owner})`;
      return { allowed, owner, accepted };
    };

    for (const { container, subject } of containersOf(pod)) {
      const capabilities = container.securityContext?.capabilities;
      const drop = (capabilities?.drop ?? []).map(normalize);
      if (!drop.includes("ALL")) {
        report(
          `${subject}: capabilities.drop is ${drop.length > 0 ? `[${drop.join(", ")}]` : "unset"}; accepted: drop ["ALL"], then ${allowList().accepted}.`,
        );
      }
      for (const added of (capabilities?.add ?? []).map(normalize)) {
        const { allowed, owner, accepted } = allowList();
        if (allowed.includes(added)) {
          reportAdvisory(
            report,
            `${subject} adds capability ${added}: an exemption from drop ALL, allowed by container-capabilities' allowedCapabilities for ${owner}.`,
          );
        } else {
          report(`${subject} adds capability ${added}; accepted: ${accepted}.`);
        }
      }
    }
  }),
};
