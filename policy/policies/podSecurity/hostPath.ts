import { orUnknown } from "../pods";
import { Control } from "./control";

/** HostPath Volumes: no volume mounts a path of the node. */
export const hostPath: Control = {
  name: "pss-host-path",
  title: "HostPath Volumes",
  level: "baseline",
  summary: "no hostPath volumes.",
  check: (pod) =>
    (pod.spec.volumes ?? [])
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
