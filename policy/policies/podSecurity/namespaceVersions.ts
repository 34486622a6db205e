import { kindOf, objectName, orUnknown } from "../pods";
import { ObjectMeta, PolicyResource } from "../types";
import { LabelVersion, parseVersionLabel, VERSION_LABEL } from "./version";

/** A Namespace of the stack that pins its Pod Security Admission version by label. */
export interface VersionedNamespace {
  readonly resource: PolicyResource;
  /** The namespace's name: `metadata.name`, else its Pulumi name. */
  readonly name: string;
  /** The label's value, as written. */
  readonly value: string;
  readonly version: LabelVersion;
}

/**
 * The stack's Namespaces that carry the enforce-version label. A label that a preview cannot know
 * yet counts as absent: the configured version applies until it is known.
 */
export function versionedNamespaces(resources: readonly PolicyResource[]): VersionedNamespace[] {
  return resources.flatMap((resource) => {
    if (kindOf(resource.type) !== "Namespace" || !resource.type.startsWith("kubernetes:core/")) {
      return [];
    }
    const value = orUnknown(
      () => (resource.props.metadata as ObjectMeta | undefined)?.labels?.[VERSION_LABEL],
      undefined,
    );
    if (typeof value !== "string") {
      return [];
    }
    return [{ resource, name: objectName(resource), value, version: parseVersionLabel(value) }];
  });
}
