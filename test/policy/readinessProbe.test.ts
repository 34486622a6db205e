import { describe, expect, it } from "vitest";
import { readinessProbe } from "../../policy/policies";
import { check, goodPod } from "./harness";

describe("readiness-probe", () => {
  it("accepts a serving container with a probe, and a container with no port and no probe", async () => {
    expect(await check(readinessProbe, goodPod())).toEqual([]);
    const client = goodPod((p) => {
      delete p.spec.containers[0].ports;
      delete p.spec.containers[0].readinessProbe;
    });
    expect(await check(readinessProbe, client)).toEqual([]);
  });

  it("rejects a container that declares a port but has no readiness probe", async () => {
    const pod = goodPod((p) => {
      delete p.spec.containers[0].readinessProbe;
    });
    expect(await check(readinessProbe, pod)).toEqual([
      {
        level: "mandatory",
        message:
          'Pod nginx-server, container nginx declares port http (80) but has no readinessProbe; accepted: a readinessProbe with httpGet, tcpSocket, grpc or exec, e.g. httpGet {path: "/", port: "http"}.',
      },
    ]);
  });

  it("rejects a probe on a port name the container does not declare", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0].readinessProbe = { tcpSocket: { port: "web" } };
    });
    const [violation] = await check(readinessProbe, pod);
    expect(violation.message).toBe(
      'Pod nginx-server, container nginx: readinessProbe targets port "web", which the container does not declare; accepted: one of http (80).',
    );
  });
});
