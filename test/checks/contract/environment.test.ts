import { describe, expect, it } from "vitest";
import { fromEnvironment, toEnvironment } from "../../../checks/contract/environment";
import { seedPlan } from "../../helpers";
import { meshPlan } from "../scenarios/mesh/fixtures";

const options = { kubeContext: "k3s-vm", reportOnly: true, runnerVersion: "0.1.0+abc" };
const policy = {
  strangerPod: "stranger-client",
  strangerContainer: "busybox",
  denyBoundSeconds: 2,
};

describe("the runner's environment: one codec for the whole plan", () => {
  it("carries a pair's plan and options there and back, and sets no other part's variable", () => {
    const env = toEnvironment({ pair: seedPlan }, options);
    expect(fromEnvironment(env)).toEqual({ plan: { pair: seedPlan }, options });
    expect(Object.keys(env).filter((key) => /STRANGER|MESH|DENY/.test(key))).toEqual([]);
    expect(env.POD_TO_POD_SERVER_IP).toBe("10.42.0.7");
    expect(env.POD_TO_POD_REPORT_ONLY).toBe("true");
  });

  it("carries the stranger and the mesh beside the pair", () => {
    const plan = { pair: { ...seedPlan, policy }, mesh: meshPlan };
    const env = toEnvironment(plan, options);
    expect(fromEnvironment(env)).toEqual({ plan, options });
    expect(env.POD_TO_POD_STRANGER_POD).toBe("stranger-client");
    // Each variable's name comes from its field; these are the names the runner has always read.
    expect(Object.fromEntries(Object.entries(env).filter(([key]) => key.includes("MESH")))).toEqual(
      {
        POD_TO_POD_MESH_NAMESPACE: "lab",
        POD_TO_POD_MESH_ECHO_SELECTOR: "app=mesh-echo",
        POD_TO_POD_MESH_CLIENT_SELECTOR: "app=mesh-client",
        POD_TO_POD_MESH_NODE_PROBE_SELECTOR: "app=mesh-node-probe",
        POD_TO_POD_MESH_ECHO_DAEMON_SET: "mesh-echo",
        POD_TO_POD_MESH_CLIENT_DAEMON_SET: "mesh-client",
        POD_TO_POD_MESH_NODE_PROBE_DAEMON_SET: "mesh-node-probe",
        POD_TO_POD_MESH_CLIENT_CONTAINER: "busybox",
        POD_TO_POD_MESH_NODE_PROBE_CONTAINER: "probe",
        POD_TO_POD_MESH_SERVICE: "mesh-echo",
        POD_TO_POD_MESH_SERVICE_PORT: "80",
        POD_TO_POD_MESH_ECHO_PORT: "80",
        POD_TO_POD_MESH_NODE_PORT: "9080",
        POD_TO_POD_MESH_CLUSTER_DOMAIN: "cluster.local",
        POD_TO_POD_MESH_TIMEOUT_SECONDS: "1",
        POD_TO_POD_MESH_PARALLELISM: "8",
        POD_TO_POD_MESH_ALL_PAIRS_UP_TO: "32",
        POD_TO_POD_MESH_ROTATION_CONFIG_MAP: "mesh-rotation",
      },
    );
    const { nodeProbeSelector: _none, nodeProbeDaemonSet: _neither, ...noProbes } = meshPlan;
    expect(
      fromEnvironment(toEnvironment({ pair: seedPlan, mesh: noProbes }, options)).plan,
    ).toEqual({ pair: seedPlan, mesh: noProbes });
  });

  it("says when the kubeconfig comes on stdin", () => {
    const stdin = { reportOnly: false, kubeconfigOnStdin: true, runnerVersion: "1" };
    const env = toEnvironment({ pair: seedPlan }, stdin);
    expect(env.POD_TO_POD_KUBECONFIG_ON_STDIN).toBe("true");
    expect(fromEnvironment(env).options).toEqual(stdin);
  });

  it("names every missing or malformed variable, in every part", () => {
    const env = toEnvironment({ pair: { ...seedPlan, policy }, mesh: meshPlan }, options);
    delete env.POD_TO_POD_SERVER_IP;
    delete env.POD_TO_POD_RUNNER_VERSION;
    delete env.POD_TO_POD_MESH_SERVICE;
    env.POD_TO_POD_PING_COUNT = "four";
    env.POD_TO_POD_DENY_BOUND_SECONDS = "1.5";
    env.POD_TO_POD_MESH_PARALLELISM = "0";
    expect(() => fromEnvironment(env)).toThrow(
      'The check runner\'s environment is incomplete: POD_TO_POD_SERVER_IP is not set; POD_TO_POD_PING_COUNT="four" is not a positive whole number; POD_TO_POD_DENY_BOUND_SECONDS="1.5" is not a positive whole number; POD_TO_POD_MESH_SERVICE is not set; POD_TO_POD_MESH_PARALLELISM="0" is not a positive whole number; POD_TO_POD_RUNNER_VERSION is not set.',
    );
  });
});
