import { describe, expect, it } from "vitest";
import { serviceAccountToken } from "../../policy/policies";
import { check, goodPod, inDeployment, TYPES } from "./harness";

describe("service-account-token", () => {
  it("accepts a pod of the default account that mounts no token", async () => {
    expect(await check(serviceAccountToken, goodPod())).toEqual([]);
  });

  it("leaves a pod that runs as an account of its own alone", async () => {
    const pod = goodPod((p) => {
      delete p.spec.automountServiceAccountToken;
      p.spec.serviceAccountName = "lab-operator";
    });
    expect(await check(serviceAccountToken, pod)).toEqual([]);
  });

  it.each([
    ["unset", undefined, "unset (which mounts the token)"],
    ["true", true, "true"],
  ] as const)(
    "rejects automountServiceAccountToken %s on the default account",
    async (_, value, said) => {
      const pod = goodPod((p) => {
        p.spec.automountServiceAccountToken = value;
        p.spec.serviceAccountName = "default";
      });
      expect(await check(serviceAccountToken, pod)).toEqual([
        {
          level: "mandatory",
          message: `Pod nginx-server runs as the default service account and automountServiceAccountToken is ${said}; accepted: automountServiceAccountToken: false, or a service account of its own if it calls the Kubernetes API.`,
        },
      ]);
    },
  );

  it("checks a Deployment's pod template", async () => {
    const pod = goodPod((p) => {
      delete p.spec.automountServiceAccountToken;
    });
    const [violation] = await check(serviceAccountToken, inDeployment(pod), {
      type: TYPES.deployment,
    });
    expect(violation.message).toMatch(/^Deployment web \(pod template\) runs as the default/);
  });
});
