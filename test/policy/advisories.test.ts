import { describe, expect, it } from "vitest";
import { namespaceAdvisory, serviceType } from "../../policy/policies";
import { check, goodPod, goodService, TYPES } from "./harness";

describe("namespace-not-default (advisory)", () => {
  it("accepts a namespace of the lab's own, and cluster-scoped objects", async () => {
    expect(await check(namespaceAdvisory, goodPod())).toEqual([]);
    const namespace = { metadata: { name: "pod-to-pod" } };
    expect(await check(namespaceAdvisory, namespace, { type: TYPES.namespace })).toEqual([]);
  });

  it("flags default and kube-system", async () => {
    const pod = goodPod((p) => {
      p.metadata.namespace = "kube-system";
    });
    expect(await check(namespaceAdvisory, pod)).toEqual([
      {
        level: "advisory",
        message:
          "Pod nginx-server is in namespace kube-system; accepted: a namespace of its own, such as the lab's pod-to-pod (discouraged: default, kube-system).",
      },
    ]);
  });

  it("flags an object that names no namespace", async () => {
    const configMap = { metadata: { name: "conf" }, data: {} };
    const [violation] = await check(namespaceAdvisory, configMap, { type: TYPES.configMap });
    expect(violation.message).toMatch(
      /^ConfigMap conf sets no metadata.namespace, so it lands in the provider's default namespace/,
    );
  });
});

describe("service-type (advisory)", () => {
  it("accepts ClusterIP, written or implied", async () => {
    expect(await check(serviceType, goodService(), { type: TYPES.service })).toEqual([]);
    const implied = goodService((s) => {
      delete s.spec.type;
    });
    expect(await check(serviceType, implied, { type: TYPES.service })).toEqual([]);
  });

  it.each(["NodePort", "LoadBalancer"])("flags %s", async (type) => {
    const service = goodService((s) => {
      s.spec.type = type;
    });
    expect(await check(serviceType, service, { type: TYPES.service })).toEqual([
      {
        level: "advisory",
        message: `Service nginx-service is of type ${type}, which exposes it outside the cluster; accepted: ClusterIP (reach it from outside with kubectl port-forward or an Ingress).`,
      },
    ]);
  });
});
