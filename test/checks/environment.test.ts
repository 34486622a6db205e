import { describe, expect, it } from "vitest";
import { fromEnvironment, toEnvironment } from "../../checks/contract/environment";
import { seedPlan } from "../helpers";

describe("the runner's environment", () => {
  it("carries a plan and options there and back", () => {
    const options = { kubeContext: "k3s-vm", reportOnly: true, runnerVersion: "0.1.0+abc" };
    const env = toEnvironment(seedPlan, options);
    expect(fromEnvironment(env)).toEqual({ plan: seedPlan, options });
  });

  it("says when the kubeconfig comes on stdin", () => {
    const options = { reportOnly: false, kubeconfigOnStdin: true, runnerVersion: "1" };
    const env = toEnvironment(seedPlan, options);
    expect(env.POD_TO_POD_KUBECONFIG_ON_STDIN).toBe("true");
    expect(fromEnvironment(env).options).toEqual(options);
  });

  it("names every missing or malformed variable", () => {
    const env = toEnvironment(seedPlan, { reportOnly: false, runnerVersion: "1" });
    delete env.POD_TO_POD_SERVER_IP;
    delete env.POD_TO_POD_RUNNER_VERSION;
    env.POD_TO_POD_PING_COUNT = "four";
    expect(() => fromEnvironment(env)).toThrow(
      /POD_TO_POD_SERVER_IP is not set; POD_TO_POD_PING_COUNT="four" is not a positive whole number; POD_TO_POD_RUNNER_VERSION is not set/,
    );
  });
});
