import { LAB_NAMES } from "../../components/names";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { BusyboxClient, ConnectivityCheck, NginxServer, NginxService } from "../../components";
import { installMocks, mockRunnerVerification, mockUid, promiseOf, registered } from "./mocks";

/** Composing the components in a program of one's own, as pulumi-eks users compose its. */
beforeAll(async () => {
  await installMocks();
  pulumi.runtime.setAllConfig({}, []);
});

const resources = {
  requests: { cpu: "10m", memory: "8Mi" },
  limits: { cpu: "100m", memory: "32Mi" },
};

describe("the components in a user's program", () => {
  it("send every Kubernetes object through the provider given in their options", async () => {
    const provider = new k8s.Provider("other-cluster", { context: "other" });
    const server = new NginxServer(
      "edge",
      {
        namespace: "lab",
        image: "nginx:1.28.0",
        imagePullPolicy: "IfNotPresent",
        port: 8080,
        resources,
        readyTimeoutSeconds: 60,
      },
      { providers: [provider] },
    );
    const client = new BusyboxClient(
      "probe",
      {
        namespace: "lab",
        image: "busybox:1.37.0",
        imagePullPolicy: "IfNotPresent",
        resources,
        readyTimeoutSeconds: 60,
      },
      { providers: [provider] },
    );
    const service = new NginxService(
      "edge",
      { namespace: "lab", selector: server.selector, port: 80, targetPort: server.portName },
      { providers: [provider] },
    );
    await Promise.all([
      promiseOf(server.podIp),
      promiseOf(client.podIp),
      promiseOf(service.clusterIp),
    ]);
    const objects = registered.filter(
      (r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers"),
    );
    expect(objects.map((r) => r.type).sort()).toEqual([
      "kubernetes:batch/v1:Job",
      "kubernetes:batch/v1:Job",
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:core/v1:Pod",
      "kubernetes:core/v1:Pod",
      "kubernetes:core/v1:Service",
    ]);
    for (const object of objects) {
      expect(object.provider, `${object.type} ${object.name}`).toContain("other-cluster");
    }
  });

  it("expose the Pods and the Service they create", async () => {
    const server = new NginxServer("exposed", {
      namespace: "lab",
      image: "nginx:1.28.0",
      imagePullPolicy: "IfNotPresent",
      port: 80,
      resources,
      readyTimeoutSeconds: 60,
    });
    const service = new NginxService("exposed", {
      namespace: "lab",
      selector: server.selector,
      port: 80,
      targetPort: server.portName,
    });
    expect(server.pod).toBeInstanceOf(k8s.core.v1.Pod);
    expect(service.service).toBeInstanceOf(k8s.core.v1.Service);
    expect(await promiseOf(server.pod.metadata.name)).toBe("nginx-server");
    expect(await promiseOf(service.service.spec.type)).toBe("ClusterIP");
  });

  it("compose into a check of a user's own: the command targets the user's pods and Service", async () => {
    const server = new NginxServer("mine", {
      namespace: "lab",
      image: "nginx:1.28.0",
      imagePullPolicy: "IfNotPresent",
      port: 8080,
      resources,
      readyTimeoutSeconds: 60,
    });
    const client = new BusyboxClient("mine", {
      namespace: "lab",
      image: "busybox:1.37.0",
      imagePullPolicy: "IfNotPresent",
      resources,
      readyTimeoutSeconds: 60,
    });
    const service = new NginxService("mine", {
      namespace: "lab",
      selector: server.selector,
      port: 8081,
      targetPort: server.portName,
    });
    const check = new ConnectivityCheck("mine", {
      namespace: "lab",
      server,
      client,
      service,
      names: LAB_NAMES,
      config: {
        servicePort: 8081,
        nginx: { port: 8080 },
        clusterDomain: "cluster.local",
        checks: { pingCount: 2, timeoutSeconds: 3, reportOnly: true },
        networkPolicy: false,
        coverage: "pair",
      },
      kube: { context: "mine" },
    });
    expect(await promiseOf(check.verification)).toEqual(mockRunnerVerification);
    const [command] = registered.filter(
      (r) => r.type === "command:local:Command" && r.name === "mine-run",
    );
    expect(command.inputs.environment).toMatchObject({
      POD_TO_POD_NAMESPACE: "lab",
      POD_TO_POD_SERVER_UID: mockUid("mine-pod"),
      POD_TO_POD_SERVER_PORT: "8080",
      POD_TO_POD_SERVICE_PORT: "8081",
      POD_TO_POD_PING_COUNT: "2",
      POD_TO_POD_REPORT_ONLY: "true",
      POD_TO_POD_KUBE_CONTEXT: "mine",
    });
    expect(command.inputs.stdin).toBeUndefined();
    expect(command.inputs.triggers.slice(0, 3)).toEqual([
      mockUid("mine-pod"),
      mockUid("mine-pod"),
      mockUid("service"),
    ]);
  });
});
