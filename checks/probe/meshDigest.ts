import * as crypto from "node:crypto";
import { buildMeshClientScript, buildNodeProbeScript } from "./meshScript";
import { MeshPlan } from "../contract/meshTypes";

/** A plan that stands for every mesh plan: only the scripts' shape is digested. */
const SHAPE: MeshPlan = {
  namespace: "ns",
  echoSelector: "a=b",
  clientSelector: "c=d",
  nodeProbeSelector: "e=f",
  clientContainer: "c",
  nodeProbeContainer: "p",
  serviceName: "s",
  servicePort: 80,
  echoPort: 80,
  nodePort: 9080,
  clusterDomain: "cluster.local",
  timeoutSeconds: 1,
  parallelism: 2,
};

/** A digest of the scripts the runner sends into the mesh's pods: a change re-runs the checks. */
export function meshScriptDigest(): string {
  const targets = [
    { index: 0, node: "a", ip: "10.0.0.1" },
    { index: 1, node: "b", ip: "10.0.0.2" },
    { index: 2, node: "c", ip: "10.0.0.3" },
  ];
  const nonce = "0".repeat(32);
  return crypto
    .createHash("sha256")
    .update(buildMeshClientScript(SHAPE, targets, nonce, "a"))
    .update(buildNodeProbeScript(SHAPE, targets, nonce, "a"))
    .digest("hex")
    .slice(0, 12);
}
