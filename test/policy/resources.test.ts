import { describe, expect, it } from "vitest";
import { containerResources } from "../../policy/policies";
import { check, goodPod } from "./harness";

describe("container-resources", () => {
  it("accepts requests and limits for cpu and memory", async () => {
    expect(await check(containerResources, goodPod())).toEqual([]);
  });

  it("names each missing request and limit", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0].resources = { requests: { cpu: "50m", memory: "32Mi" } };
    });
    expect(await check(containerResources, pod)).toEqual([
      {
        level: "mandatory",
        message:
          'Pod nginx-server, container nginx: resources.limits.cpu, resources.limits.memory not set; accepted: requests and limits for both cpu and memory, e.g. requests {cpu: "10m", memory: "8Mi"} and limits {cpu: "100m", memory: "32Mi"}.',
      },
    ]);
  });

  it("rejects a container with no resources at all", async () => {
    const pod = goodPod((p) => {
      delete p.spec.containers[0].resources;
    });
    const [violation] = await check(containerResources, pod);
    expect(violation.message).toContain(
      "resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory not set",
    );
  });
});
