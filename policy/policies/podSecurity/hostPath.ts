import { orUnknown } from "../pods";
import { Control } from "./control";

/**
 * HostPath Volumes: no volume mounts a path of the node. Under restricted, PSA's restricted volume
 * types check replaces this one and names the hostPath itself, so pss-volume-types reports it.
 */
export const hostPath: Control = {
  name: "pss-host-path",
  title: "HostPath Volumes",
  level: "baseline",
  admission: () => ({ id: "hostPathVolumes", reason: "hostPath volumes" }),
  summary: "no hostPath volumes.",
  check: (pod, profile) =>
    (profile === "restricted" ? [] : (pod.spec.volumes ?? []))
      .filter((volume) => volume.hostPath !== undefined)
      .map((volume) => {
        const path = orUnknown(() => volume.hostPath?.path, undefined) ?? "a path";
        return {
          problem: `${pod.subject}: volume ${volume.name} is a hostPath (${path})`,
          accepted:
            "volumes that are not on the node, such as emptyDir, configMap, secret or persistentVolumeClaim",
        };
      }),
};
