import { describe, expect, it } from "vitest";
import { imagePullPolicy } from "../../policy/policies";
import { check, goodPod } from "./harness";

function withPolicy(policy: string | undefined) {
  return goodPod((p) => {
    p.spec.containers[0].imagePullPolicy = policy;
    p.spec.initContainers = [{ name: "setup", image: "busybox:1.37.0", imagePullPolicy: "Always" }];
  });
}

describe("image-pull-policy", () => {
  it.each(["Always", "IfNotPresent", "Never"])("accepts %s by default", async (policy) => {
    expect(await check(imagePullPolicy, withPolicy(policy))).toEqual([]);
  });

  it("rejects an unset policy, which would follow the tag", async () => {
    expect(await check(imagePullPolicy, withPolicy(undefined))).toEqual([
      {
        level: "mandatory",
        message:
          "Pod nginx-server, container nginx: imagePullPolicy is unset (so it depends on the tag); accepted: Always, IfNotPresent or Never, set on the container.",
      },
    ]);
  });

  it("takes Polaris's and kube-score's Always-only rule from policy config", async () => {
    const config = { allowedPolicies: ["Always"] };
    expect(await check(imagePullPolicy, withPolicy("Always"), { config })).toEqual([]);
    expect(await check(imagePullPolicy, withPolicy("IfNotPresent"), { config })).toEqual([
      {
        level: "mandatory",
        message:
          "Pod nginx-server, container nginx: imagePullPolicy is IfNotPresent; accepted: Always, set on the container.",
      },
    ]);
  });
});
