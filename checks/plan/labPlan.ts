import { meshPlanOf } from "../../components/meshPlan";
import { LabObjectNames } from "../../components/names";
import { MeshSettings } from "../../config";
import { CheckPlan, RunPlan } from "../contract/types";

/**
 * The one plan builder: `pulumi up` (the ConnectivityCheck component), `npm run verify`, the bench
 * and the tests all turn a deployed lab and its settings into the runner's plan here, so each runs
 * the same scenarios: the pair, the stranger's refusals where the lab isolates itself, and every
 * node's paths with coverage every-node.
 */

/**
 * The longest a request the policies must refuse is waited for: its bound is ten times the
 * prober's own answered request in the same run, at least 300 ms (plan/paths.ts), and at most
 * this, which a loaded node's slow answers reach.
 */
export const DENY_BOUND_SECONDS = 2;

/** What the plan takes from the lab as deployed, whoever observed it (outputs, stack, kubectl). */
export interface DeployedLab {
  readonly namespace: string;
  /** The lab's object names (the walkthrough's, or prefixed with its component's name). */
  readonly names: LabObjectNames;
  readonly server: { readonly uid: string; readonly ip: string; readonly node: string };
  readonly client: { readonly ip: string; readonly node: string };
  readonly serviceClusterIp: string;
}

/** The settings the plan takes from the lab's configuration (LabConfig's shape). */
export interface PlanConfig {
  readonly servicePort: number;
  readonly nginx: { readonly port: number };
  readonly clusterDomain: string;
  readonly checks: { readonly pingCount: number; readonly timeoutSeconds: number };
  /** Whether the lab isolates itself: then a stranger must be refused. */
  readonly networkPolicy: boolean;
  readonly coverage: "pair" | "every-node";
  /** The mesh's settings, read with coverage every-node. */
  readonly mesh?: MeshSettings;
}

/** The runner's plan for a deployed lab. */
export function labPlan(lab: DeployedLab, config: PlanConfig): RunPlan {
  const timeoutSeconds = config.checks.timeoutSeconds;
  const pair: CheckPlan = {
    namespace: lab.namespace,
    serverPod: lab.names.serverPod,
    serverPodUid: lab.server.uid,
    clientPod: lab.names.clientPod,
    clientContainer: lab.names.clientContainer,
    serviceName: lab.names.service,
    serverPodIp: lab.server.ip,
    clientPodIp: lab.client.ip,
    serverNode: lab.server.node,
    clientNode: lab.client.node,
    serviceClusterIp: lab.serviceClusterIp,
    servicePort: config.servicePort,
    serverPort: config.nginx.port,
    clusterDomain: config.clusterDomain,
    pingCount: config.checks.pingCount,
    timeoutSeconds,
    ...(config.networkPolicy
      ? {
          policy: {
            strangerPod: lab.names.strangerPod,
            strangerContainer: lab.names.strangerContainer,
            denyBoundSeconds: Math.min(DENY_BOUND_SECONDS, timeoutSeconds),
          },
        }
      : {}),
  };
  if (config.coverage !== "every-node") {
    return { pair };
  }
  if (!config.mesh) {
    throw new Error("coverage every-node needs the mesh's settings (pod-to-pod:mesh)");
  }
  return {
    pair,
    mesh: meshPlanOf({
      namespace: lab.namespace,
      servicePort: config.servicePort,
      echoPort: config.nginx.port,
      clusterDomain: config.clusterDomain,
      timeoutSeconds,
      settings: config.mesh,
    }),
  };
}
