import { describe, expect, it } from "vitest";
import { containerCapabilities } from "../../policy/policies";
import { check, goodPod } from "./harness";

/** The lab's client: busybox, keeping NET_RAW for ping. */
function busybox(add: string[] = ["NET_RAW"], name = "busybox") {
  return goodPod((p) => {
    p.metadata.name = "busybox-client";
    p.metadata.labels = {
      "app.kubernetes.io/name": name,
      "app.kubernetes.io/part-of": "pod-to-pod",
    };
    p.spec.containers[0].name = "busybox";
    p.spec.containers[0].securityContext!.capabilities = { drop: ["ALL"], add };
  });
}

describe("container-capabilities", () => {
  it("accepts drop ALL with nothing added", async () => {
    expect(await check(containerCapabilities, goodPod())).toEqual([]);
  });

  it("reports busybox's NET_RAW as a visible, advisory exemption under the default allow-list", async () => {
    expect(await check(containerCapabilities, busybox())).toEqual([
      {
        level: "advisory",
        message:
          "Pod busybox-client, container busybox adds capability NET_RAW: an exemption from drop ALL, allowed by container-capabilities' allowedCapabilities for app.kubernetes.io/name=busybox.",
      },
    ]);
  });

  it("rejects NET_RAW for any other workload", async () => {
    expect(await check(containerCapabilities, busybox(["NET_RAW"], "nginx"))).toEqual([
      {
        level: "mandatory",
        message:
          "Pod busybox-client, container busybox adds capability NET_RAW; accepted: add nothing (allowedCapabilities has no entry for app.kubernetes.io/name=nginx).",
      },
    ]);
  });

  it("rejects a capability beyond the allow-list, saying what the list allows", async () => {
    const [violation] = await check(containerCapabilities, busybox(["NET_RAW", "CAP_SYS_ADMIN"]));
    expect(await check(containerCapabilities, busybox(["SYS_ADMIN"]))).toEqual([
      {
        level: "mandatory",
        message:
          "Pod busybox-client, container busybox adds capability SYS_ADMIN; accepted: add only NET_RAW (allowedCapabilities for app.kubernetes.io/name=busybox).",
      },
    ]);
    expect(violation.level).toBe("advisory");
  });

  it("rejects a container that does not drop ALL", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0].securityContext!.capabilities = { drop: ["NET_RAW"] };
    });
    expect(await check(containerCapabilities, pod)).toEqual([
      {
        level: "mandatory",
        message:
          'Pod nginx-server, container nginx: capabilities.drop is [NET_RAW]; accepted: drop ["ALL"], then add nothing (allowedCapabilities has no entry for app.kubernetes.io/name=nginx).',
      },
    ]);
  });

  it("takes the allow-list from policy config, replacing the default", async () => {
    const config = { allowedCapabilities: { nginx: ["NET_BIND_SERVICE"] } };
    const nginx = goodPod((p) => {
      p.spec.containers[0].securityContext!.capabilities = {
        drop: ["ALL"],
        add: ["NET_BIND_SERVICE"],
      };
    });
    expect((await check(containerCapabilities, nginx, { config })).map((v) => v.level)).toEqual([
      "advisory",
    ]);
    expect((await check(containerCapabilities, busybox(), { config })).map((v) => v.level)).toEqual(
      ["mandatory"],
    );
  });
});
