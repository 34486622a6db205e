/**
 * The Pod Security Admission versions whose rules the pack knows, oldest first. Each one is the
 * set of checks Kubernetes' pod-security-admission applies at that version (its checks'
 * `Versions` lists): v1.34 added the host probes and lifecycle hooks check; v1.35 relaxed
 * runAsNonRoot, runAsUser and baseline's procMount for pods in a user namespace (`hostUsers:
 * false`), which 1.33 and 1.34 grant only behind the alpha UserNamespacesPodSecurityStandards gate,
 * off by default.
 */
export const VERSIONS = ["v1.33", "v1.34", "v1.35"] as const;

/** A version the pack knows the rules of. */
export type Version = (typeof VERSIONS)[number];

/** What Pod Security Admission's version syntax accepts and the pack knows: a version, or latest. */
export type VersionSetting = Version | "latest";

/** The newest version the pack knows: what `latest` means to it, as PSA's latest is its own. */
export const LATEST: Version = VERSIONS[VERSIONS.length - 1];

/** The namespace label that pins the version of the rules Pod Security Admission enforces there. */
export const VERSION_LABEL = "pod-security.kubernetes.io/enforce-version";

/** The settings the `version` config accepts, in PSA's own syntax. */
export const VERSION_SETTINGS: readonly VersionSetting[] = [...VERSIONS, "latest"];

/** The minor number of a version: 33 for v1.33. */
function minor(version: Version): number {
  return Number(version.slice("v1.".length));
}

/** Whether the rules of `version` include what Kubernetes added in `since`. */
export function atLeast(version: Version, since: Version): boolean {
  return minor(version) >= minor(since);
}

/** The rules a setting stands for: `latest` is the newest the pack knows. */
export function resolveVersion(setting: VersionSetting): Version {
  return setting === "latest" ? LATEST : setting;
}

/** A namespace's enforce-version label, read as Pod Security Admission reads it. */
export type LabelVersion =
  | { readonly kind: "version"; readonly version: Version }
  | { readonly kind: "latest" }
  | { readonly kind: "unknown"; readonly problem: string };

/**
 * Reads an enforce-version label value. PSA accepts `latest` or `v1.<minor>` (no leading zero);
 * the pack can apply only the versions it knows, so an older or newer one is `unknown` with the
 * reason, as is anything PSA itself would not parse.
 */
export function parseVersionLabel(value: string): LabelVersion {
  if (value === "latest") {
    return { kind: "latest" };
  }
  if (!/^v1\.(0|[1-9][0-9]*)$/.test(value)) {
    return { kind: "unknown", problem: `"${value}" is not a Pod Security Admission version` };
  }
  const known = VERSIONS.find((v) => v === value);
  return known === undefined
    ? {
        kind: "unknown",
        problem: `the pack does not know the rules of "${value}" (it knows ${VERSIONS.join(", ")})`,
      }
    : { kind: "version", version: known };
}
