import { MESH_NODE_PORT, MeshSettings } from "../config";
import { MeshPlan } from "../checks/contract/meshTypes";
import { selectorOf, workloadLabels } from "./labels";

/** The labels of the mesh's three DaemonSets' pods, and the names the checks exec into. */
export const MESH = {
  echoLabels: workloadLabels("mesh-echo", "mesh-echo-server"),
  clientLabels: workloadLabels("mesh-client", "mesh-client"),
  nodeProbeLabels: workloadLabels("mesh-node-probe", "mesh-node-probe"),
  clientContainer: "busybox",
  nodeProbeContainer: "probe",
  serviceName: "mesh-echo",
  /** The echo servers' DaemonSet; their nginx.conf's ConfigMap is named after it. */
  echoDaemonSet: "mesh-echo",
  clientDaemonSet: "mesh-client",
  nodeProbeDaemonSet: "mesh-node-probe",
  /** The port the echo servers serve the nodes on; the lab's nginx.port must differ. */
  nodePort: MESH_NODE_PORT,
  /** The ConfigMap of the lab's run counter (the sampled coverage's rotation). */
  rotationConfigMap: "mesh-rotation",
} as const;

function selectorString(labels: Record<string, string>): string {
  return Object.entries(selectorOf(labels))
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

/** What the mesh's runner is told, from the lab's settings: NodeMesh's plan, and verify's. */
export function meshPlanOf(lab: {
  readonly namespace: string;
  readonly servicePort: number;
  readonly echoPort: number;
  readonly clusterDomain: string;
  readonly timeoutSeconds: number;
  readonly settings: MeshSettings;
}): MeshPlan {
  return {
    namespace: lab.namespace,
    echoSelector: selectorString(MESH.echoLabels),
    clientSelector: selectorString(MESH.clientLabels),
    echoDaemonSet: MESH.echoDaemonSet,
    clientDaemonSet: MESH.clientDaemonSet,
    ...(lab.settings.nodeToPod
      ? {
          nodeProbeSelector: selectorString(MESH.nodeProbeLabels),
          nodeProbeDaemonSet: MESH.nodeProbeDaemonSet,
        }
      : {}),
    clientContainer: MESH.clientContainer,
    nodeProbeContainer: MESH.nodeProbeContainer,
    serviceName: MESH.serviceName,
    servicePort: lab.servicePort,
    echoPort: lab.echoPort,
    nodePort: MESH.nodePort,
    clusterDomain: lab.clusterDomain,
    timeoutSeconds: lab.timeoutSeconds,
    parallelism: lab.settings.parallelism,
    allPairsUpTo: lab.settings.allPairsUpTo,
    rotationConfigMap: MESH.rotationConfigMap,
  };
}
