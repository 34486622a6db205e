import { describe, expect, it } from "vitest";
import { PolicyResource, serviceTargets } from "../../policy/policies";
import { goodPod, goodService, policyResource, runStackPolicy, TYPES } from "./harness";

function stack(...resources: [string, object][]): PolicyResource[] {
  return resources.map(([type, props], i) => policyResource(type, props, `r${i}`));
}

describe("service-targets", () => {
  it("accepts a Service that selects a Pod on a port name it declares", async () => {
    const resources = stack([TYPES.pod, goodPod()], [TYPES.service, goodService()]);
    expect(await runStackPolicy(serviceTargets, resources)).toEqual([]);
  });

  it("accepts a numeric targetPort, declared or not, and an unset one that falls back to port", async () => {
    for (const targetPort of [80, 8080, undefined]) {
      const service = goodService((s) => {
        s.spec.ports = [{ port: 80, targetPort }];
      });
      const resources = stack([TYPES.pod, goodPod()], [TYPES.service, service]);
      expect(await runStackPolicy(serviceTargets, resources), `${targetPort}`).toEqual([]);
    }
  });

  it("accepts a Service that selects a Deployment's pod template", async () => {
    const deployment = {
      metadata: { name: "web", namespace: "pod-to-pod" },
      spec: { template: goodPod() },
    };
    const resources = stack([TYPES.deployment, deployment], [TYPES.service, goodService()]);
    expect(await runStackPolicy(serviceTargets, resources)).toEqual([]);
  });

  it("rejects a Service whose selector matches no Pod, listing the Pods there", async () => {
    const service = goodService((s) => {
      s.spec.selector = { app: "web" };
    });
    const resources = stack([TYPES.pod, goodPod()], [TYPES.service, service]);
    const violations = await runStackPolicy(serviceTargets, resources);
    expect(violations).toEqual([
      {
        level: "mandatory",
        message:
          "Service nginx-service selects {app=web} in namespace pod-to-pod, which no Pod of the stack carries; accepted: a selector whose labels all appear on a Pod in the same namespace (there: Pod nginx-server {app=nginx, app.kubernetes.io/name=nginx, app.kubernetes.io/part-of=pod-to-pod}).",
        urn: "urn:pulumi:test::pod-to-pod::kubernetes:core/v1:Service::r1",
      },
    ]);
  });

  it("rejects a Service that selects a Pod in another namespace", async () => {
    const service = goodService((s) => {
      s.metadata.namespace = "default";
    });
    const resources = stack([TYPES.pod, goodPod()], [TYPES.service, service]);
    const [violation] = await runStackPolicy(serviceTargets, resources);
    expect(violation.message).toContain("in namespace default, which no Pod of the stack carries");
    expect(violation.message).toContain("(there: no Pods)");
  });

  it("rejects a targetPort name that no selected Pod declares, pointing at the Service", async () => {
    const byName = goodService((s) => {
      s.spec.ports = [{ name: "http", port: 80, targetPort: "web" }];
    });
    expect(
      await runStackPolicy(serviceTargets, stack([TYPES.pod, goodPod()], [TYPES.service, byName])),
    ).toEqual([
      {
        level: "mandatory",
        message:
          'Service nginx-service port http targets port name "web", which no selected Pod (Pod nginx-server) declares; accepted: http (80).',
        urn: "urn:pulumi:test::pod-to-pod::kubernetes:core/v1:Service::r1",
      },
    ]);
  });

  it("leaves Services without a selector alone", async () => {
    const service = goodService((s) => {
      delete s.spec.selector;
    });
    expect(await runStackPolicy(serviceTargets, stack([TYPES.service, service]))).toEqual([]);
  });
});
