import { StackValidationPolicy } from "../types";
import { versionedNamespaces } from "./namespaceVersions";
import { VERSION_LABEL, VERSION_SETTINGS } from "./version";

/**
 * A Namespace of the stack that pins a Pod Security Admission version the pack cannot apply (a
 * typo, or a version older or newer than those it knows) fails here, once: the pss-* policies then
 * check its pods at the configured version, which may not be what the cluster enforces there.
 */
export const podSecurityVersion: StackValidationPolicy = {
  name: "pod-security-version",
  description: `Every ${VERSION_LABEL} label of the stack's Namespaces is a Pod Security Admission version whose rules the pack knows.`,
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const namespace of versionedNamespaces(args.resources)) {
      if (namespace.version.kind === "unknown") {
        report(
          `Namespace ${namespace.name} sets ${VERSION_LABEL}: ${namespace.version.problem}, so its pods are checked at the pss-* policies' configured version instead; accepted: ${VERSION_SETTINGS.join(", ")}.`,
          namespace.resource.urn,
        );
      }
    }
  },
};
