import { Control } from "./control";

/**
 * The volume sources restricted allows: the core kinds and those backed by PersistentVolumes.
 * image (an OCI image as a volume) is allowed since Kubernetes 1.33.
 */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

/** Volume Types: restricted pods mount only the core volume types. */
export const volumeTypes: Control = {
  name: "pss-volume-types",
  title: "Volume Types",
  level: "restricted",
  admission: () => ({ id: "restrictedVolumes", reason: "restricted volume types" }),
  summary: `volumes are of the types ${RESTRICTED_VOLUME_TYPES.join(", ")}.`,
  check: (pod, profile) => {
    if (profile !== "restricted") {
      return [];
    }
    return (pod.spec.volumes ?? []).flatMap((volume) => {
      // A hostPath is one of them: PSA's restricted check replaces the hostPath one, so pss-host-path
      // stays silent under restricted. The keys alone name the source: reading the values would stop
      // on one a preview cannot know yet.
      const types = Object.keys(volume).filter((key) => key !== "name");
      return types
        .filter((type) => !RESTRICTED_VOLUME_TYPES.includes(type))
        .map((type) => ({
          problem: `${pod.subject}: volume ${volume.name} is of type ${type}`,
          accepted: `a volume of type ${RESTRICTED_VOLUME_TYPES.join(", ")} (restricted); for other storage, a persistentVolumeClaim`,
        }));
    });
  },
};
