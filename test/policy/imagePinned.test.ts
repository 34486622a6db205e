import { describe, expect, it } from "vitest";
import { imagePinned, imageProblem } from "../../policy/policies";
import { check, goodPod, TYPES } from "./harness";

describe("image-pinned", () => {
  it("accepts a fixed tag, a digest, and a registry with a port", async () => {
    const digest = `nginx@sha256:${"a".repeat(64)}`;
    for (const image of ["nginx:1.28.0", digest, "registry.local:5000/lab/nginx:1.28.0"]) {
      const pod = goodPod((p) => {
        p.spec.containers[0].image = image;
      });
      expect(await check(imagePinned, pod), image).toEqual([]);
    }
  });

  it("rejects the latest tag, naming the container and what is accepted", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0].image = "nginx:latest";
    });
    expect(await check(imagePinned, pod)).toEqual([
      {
        level: "mandatory",
        message:
          'Pod nginx-server, container nginx: image "nginx:latest" uses the tag latest, which moves with every release; accepted: a fixed tag (nginx:<version>) or a digest (nginx@sha256:<64 hex digits>).',
      },
    ]);
  });

  it("rejects an image without a tag, even behind a registry port", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0].image = "registry.local:5000/busybox";
    });
    const [violation] = await check(imagePinned, pod);
    expect(violation.message).toContain(
      'image "registry.local:5000/busybox" has no tag, which means registry.local:5000/busybox:latest',
    );
    expect(violation.message).toContain("registry.local:5000/busybox@sha256:");
  });

  it("rejects a digest that is not sha256 with 64 hex digits", () => {
    expect(imageProblem("nginx@sha256:abc")).toMatch(/not sha256:<64 lowercase hex digits>/);
  });

  it("checks init containers and the pod templates of workloads", async () => {
    const pod = goodPod((p) => {
      p.spec.initContainers = [{ name: "setup", image: "busybox" }];
    });
    const deployment = { metadata: { name: "web" }, spec: { template: pod } };
    const [violation] = await check(imagePinned, deployment, { type: TYPES.deployment });
    expect(violation.message).toMatch(/^Deployment web \(pod template\), init container setup: /);
  });
});
