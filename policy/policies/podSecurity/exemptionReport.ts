import { containersOf, PodTemplate, validatePods } from "../pods";
import { reportAdvisory } from "../report";
import { ResourceValidationPolicy } from "../types";
import { podSecurityControls } from "./controls";
import { Exemption, exemptionsFor, Grant, grants } from "./exemptions";
import { VERSIONS } from "./version";

const WHERE = "policy/policies/podSecurity/exemptions.ts";

/** One thing an exemption grants, and the controls it waives on the pod. */
interface GrantUse {
  /** `add NET_RAW`, `run as root`. */
  readonly label: string;
  readonly controls: readonly string[];
}

/**
 * What each grant of the exemption waives on this pod under restricted, the strictest profile, at
 * any version the pack knows: a grant that waives nothing there is not needed anywhere.
 */
function grantUses(exemption: Exemption, pod: PodTemplate): GrantUse[] {
  const waivable = podSecurityControls.flatMap((control) =>
    VERSIONS.flatMap((version) => control.check(pod, "restricted", version)).flatMap(
      ({ waivedBy }) =>
        waivedBy !== undefined && grants(exemption, waivedBy)
          ? [{ control: control.name, grant: waivedBy }]
          : [],
    ),
  );
  const use = (label: string, matches: (grant: Grant) => boolean): GrantUse => ({
    label,
    controls: [...new Set(waivable.filter((w) => matches(w.grant)).map((w) => w.control))],
  });
  return [
    ...exemption.addCapabilities.map((capability) =>
      use(`add ${capability}`, (g) => g.kind === "add-capability" && g.capability === capability),
    ),
    ...(exemption.runAsRoot ? [use("run as root", (g) => g.kind === "run-as-root")] : []),
    ...(exemption.hostNetwork
      ? [use("use the node's network namespace", (g) => g.kind === "host-network")]
      : []),
  ];
}

/**
 * Shows every exemption from the Pod Security Standards in use, once per pod, as an advisory
 * finding; fails an exemption that grants more than its container uses, so none outlives its need.
 * The pss-* policies leave the findings an exemption waives to this one: disabling it hides them.
 */
export const podSecurityExemptions: ResourceValidationPolicy = {
  name: "pod-security-exemptions",
  description:
    "Exemptions from the Pod Security Standards are shown in every preview and grant only what their container uses.",
  enforcementLevel: "mandatory",
  validateResource: validatePods((pod, args, report) => {
    for (const exemption of exemptionsFor(args.urn)) {
      const entry = containersOf(pod).find(
        ({ container }) => container.name === exemption.container,
      );
      if (entry === undefined) {
        report(
          `${pod.subject} has no container ${exemption.container}, which its exemption in ${WHERE} names; accepted: an exemption for a container of the pod, or none.`,
        );
        continue;
      }
      const uses = grantUses(exemption, pod);
      for (const unused of uses.filter((u) => u.controls.length === 0)) {
        report(
          `${entry.subject}: its exemption lets it ${unused.label}, which no control needs of it; accepted: an exemption that grants only what the container uses (remove "${unused.label}" from ${WHERE}).`,
        );
      }
      const used = uses.filter((u) => u.controls.length > 0);
      if (used.length > 0) {
        const granted = used.map((u) => `${u.label} (${u.controls.join(", ")})`).join(" and ");
        reportAdvisory(
          report,
          `${entry.subject} may ${granted}: exempt as ${exemption.resource} in ${WHERE}, because ${exemption.reason}.`,
        );
      }
    }
  }),
};
