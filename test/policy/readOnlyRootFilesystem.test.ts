import { describe, expect, it } from "vitest";
import { readOnlyRootFilesystem } from "../../policy/policies";
import { check, goodPod, inCronJob, TYPES } from "./harness";

describe("read-only-root-filesystem", () => {
  it("accepts containers that mount their root read-only", async () => {
    expect(await check(readOnlyRootFilesystem, goodPod())).toEqual([]);
  });

  it("rejects a container that leaves it unset, and an init container that sets false", async () => {
    const pod = goodPod((p) => {
      delete p.spec.containers[0].securityContext!.readOnlyRootFilesystem;
      p.spec.initContainers = [
        { name: "setup", securityContext: { readOnlyRootFilesystem: false } },
      ];
    });
    expect(await check(readOnlyRootFilesystem, pod)).toEqual([
      {
        level: "mandatory",
        message:
          "Pod nginx-server, container nginx: securityContext.readOnlyRootFilesystem is unset; accepted: true, with an emptyDir volume where the container must write (e.g. /tmp).",
      },
      {
        level: "mandatory",
        message:
          "Pod nginx-server, init container setup: securityContext.readOnlyRootFilesystem is false; accepted: true, with an emptyDir volume where the container must write (e.g. /tmp).",
      },
    ]);
  });

  it("checks a CronJob's pod template", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0].securityContext!.readOnlyRootFilesystem = false;
    });
    const [violation] = await check(readOnlyRootFilesystem, inCronJob(pod), {
      type: TYPES.cronJob,
    });
    expect(violation.message).toMatch(/^CronJob probe \(pod template\), container nginx: /);
  });
});
