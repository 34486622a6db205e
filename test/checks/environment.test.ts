import { describe, expect, it } from "vitest";
import { fromEnvironment, toEnvironment } from "../../checks/environment";
import { seedPlan } from "../helpers";

describe("the runner's environment", () => {
  it("carries a plan and options there and back", () => {
    const env = toEnvironment(seedPlan, { kubeContext: "k3s-vm", reportOnly: true });
    expect(fromEnvironment(env)).toEqual({
      plan: seedPlan,
      options: { kubeContext: "k3s-vm", reportOnly: true },
    });
  });

  it("says when the kubeconfig comes on stdin", () => {
    const env = toEnvironment(seedPlan, { reportOnly: false, kubeconfigOnStdin: true });
    expect(env.POD_TO_POD_KUBECONFIG_ON_STDIN).toBe("true");
    expect(fromEnvironment(env).options).toEqual({ reportOnly: false, kubeconfigOnStdin: true });
  });

  it("names every missing or malformed variable", () => {
    const env = toEnvironment(seedPlan, { reportOnly: false });
    delete env.POD_TO_POD_SERVER_IP;
    env.POD_TO_POD_PING_COUNT = "four";
    expect(() => fromEnvironment(env)).toThrow(
      /POD_TO_POD_SERVER_IP is not set; POD_TO_POD_PING_COUNT="four" is not a positive whole number/,
    );
  });
});
