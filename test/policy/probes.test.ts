import { describe, expect, it } from "vitest";
import { livenessProbe, PolicyResource, readinessProbe } from "../../policy/policies";
import {
  goodPod,
  goodService,
  inDeployment,
  policyResource,
  runStackPolicy,
  TYPES,
} from "./harness";

const NGINX_URN = "urn:pulumi:test::pod-to-pod::kubernetes:core/v1:Pod::nginx-pod";

function stack(...resources: [string, object][]): PolicyResource[] {
  return resources.map(([type, props], i) =>
    policyResource(type, props, i === 0 ? "nginx-pod" : `r${i}`),
  );
}

describe.each([
  { policy: readinessProbe, field: "readinessProbe", example: 'httpGet {path: "/", port: "http"}' },
  { policy: livenessProbe, field: "livenessProbe", example: 'tcpSocket {port: "http"}' },
] as const)("$field", ({ policy, field, example }) => {
  it("accepts a container a Service targets when it has the probe", async () => {
    const resources = stack([TYPES.pod, goodPod()], [TYPES.service, goodService()]);
    expect(await runStackPolicy(policy, resources)).toEqual([]);
  });

  it("asks nothing of a container that declares a port no Service targets", async () => {
    const pod = goodPod((p) => {
      delete p.spec.containers[0][field];
    });
    expect(await runStackPolicy(policy, stack([TYPES.pod, pod]))).toEqual([]);
    const elsewhere = goodService((s) => {
      s.spec.selector = { app: "web" };
    });
    expect(
      await runStackPolicy(policy, stack([TYPES.pod, pod], [TYPES.service, elsewhere])),
    ).toEqual([]);
  });

  it("rejects a targeted container without it, pointing at the Pod", async () => {
    const pod = goodPod((p) => {
      delete p.spec.containers[0][field];
    });
    expect(
      await runStackPolicy(policy, stack([TYPES.pod, pod], [TYPES.service, goodService()])),
    ).toEqual([
      {
        level: "mandatory",
        message: `Pod nginx-server, container nginx receives traffic from Service nginx-service port http but has no ${field}; accepted: a ${field} with httpGet, tcpSocket, grpc or exec, e.g. ${example}.`,
        urn: NGINX_URN,
      },
    ]);
  });

  it("takes a numeric targetPort no container declares as served by each container", async () => {
    const pod = goodPod((p) => {
      const [nginx] = p.spec.containers;
      delete nginx.ports;
      nginx.readinessProbe = { tcpSocket: { port: 8080 } };
      nginx.livenessProbe = { tcpSocket: { port: 8080 } };
      delete nginx[field];
    });
    const service = goodService((s) => {
      s.spec.ports = [{ port: 80, targetPort: 8080 }];
    });
    const [violation, ...rest] = await runStackPolicy(
      policy,
      stack([TYPES.pod, pod], [TYPES.service, service]),
    );
    expect(rest).toEqual([]);
    expect(violation.message).toMatch(
      new RegExp(
        `^Pod nginx-server, container nginx receives traffic from Service nginx-service port 80 but has no ${field};`,
      ),
    );
  });

  it("checks the containers a Service targets in a Deployment's pod template, not its sidecars", async () => {
    const pod = goodPod((p) => {
      p.spec.containers.push({
        name: "log-shipper",
        image: "busybox:1.37.0",
        ports: [{ name: "metrics", containerPort: 9000 }],
      });
    });
    const resources = stack([TYPES.deployment, inDeployment(pod)], [TYPES.service, goodService()]);
    expect(await runStackPolicy(policy, resources)).toEqual([]);
    const broken = goodPod((p) => {
      delete p.spec.containers[0][field];
    });
    const [violation] = await runStackPolicy(
      policy,
      stack([TYPES.deployment, inDeployment(broken)], [TYPES.service, goodService()]),
    );
    expect(violation.message).toMatch(
      /^Deployment web \(pod template\), container nginx receives traffic/,
    );
  });

  it("rejects a probe on a port name the container does not declare", async () => {
    const pod = goodPod((p) => {
      p.spec.containers[0][field] = { tcpSocket: { port: "web" } };
    });
    expect((await runStackPolicy(policy, stack([TYPES.pod, pod]))).map((v) => v.message)).toEqual([
      `Pod nginx-server, container nginx: ${field} targets port "web", which the container does not declare; accepted: one of http (80).`,
    ]);
  });
});
