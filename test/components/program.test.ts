import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { inputsOf, installMocks, mockCluster, promiseOf, registered } from "./mocks";

type Program = typeof import("../../index");
let program: Program;

beforeAll(async () => {
  await installMocks();
  pulumi.runtime.setConfig(
    "pod-to-pod:checks",
    JSON.stringify({ pingCount: 6, timeoutSeconds: 3 }),
  );
  pulumi.runtime.setConfig("kubernetes:context", "k3s-vm");
  // The program insists on kubectl before creating anything; any executable stands in for it here.
  process.env.KUBECTL = process.execPath;
  program = await import("../../index");
  // Let every registration and apply settle.
  await promiseOf(program.report);
});

describe("the program's resources", () => {
  it("creates the namespace with Pod Security Admission labels", () => {
    const ns = inputsOf("kubernetes:core/v1:Namespace");
    expect(ns.metadata.name).toBe("pod-to-pod");
    expect(ns.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "privileged",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });

  it("registers the five components with three-part type tokens", () => {
    const components = registered
      .filter((r) => r.type.startsWith("pod-to-pod:"))
      .map((r) => r.type);
    expect(components.sort()).toEqual([
      "pod-to-pod:lab:BusyboxClient",
      "pod-to-pod:lab:ConnectivityCheck",
      "pod-to-pod:lab:Namespace",
      "pod-to-pod:lab:NginxServer",
      "pod-to-pod:lab:NginxService",
    ]);
  });

  it("selects the server's pod with the Service, on the server's named port", () => {
    const pod = inputsOf("kubernetes:core/v1:Pod", /^nginx/);
    const service = inputsOf("kubernetes:core/v1:Service");
    expect(pod.metadata.labels.app).toBe("nginx");
    for (const [key, value] of Object.entries(service.spec.selector)) {
      expect(pod.metadata.labels[key]).toBe(value);
    }
    expect(service.metadata.name).toBe("nginx-service");
    const [port] = pod.spec.containers[0].ports;
    expect(port).toEqual({ name: "http", containerPort: 80, protocol: "TCP" });
    expect(service.spec.ports).toEqual([
      { name: "http", protocol: "TCP", port: 80, targetPort: "http" },
    ]);
  });

  it("runs nginx non-root, read-only, with no capabilities and a readiness probe", () => {
    const pod = inputsOf("kubernetes:core/v1:Pod", /^nginx/);
    const [container] = pod.spec.containers;
    expect(pod.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.spec.securityContext.sysctls).toEqual([
      { name: "net.ipv4.ip_unprivileged_port_start", value: "0" },
    ]);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/", port: "http" });
    expect(container.image).toBe("nginx:1.28.0");
    expect(container.resources.limits).toEqual({ cpu: "250m", memory: "64Mi" });
  });

  it("mounts an nginx.conf that listens on the container port", () => {
    const conf = inputsOf("kubernetes:core/v1:ConfigMap");
    expect(conf.data["nginx.conf"]).toContain("listen 80;");
    const pod = inputsOf("kubernetes:core/v1:Pod", /^nginx/);
    expect(pod.spec.volumes.map((v: { name: string }) => v.name)).toEqual(["conf", "tmp"]);
    expect(pod.spec.containers[0].command).toContain("/etc/pod-to-pod-nginx/nginx.conf");
  });

  it("keeps the client alive until deleted, with NET_RAW and nothing else", () => {
    const pod = inputsOf("kubernetes:core/v1:Pod", /^busybox/);
    const [container] = pod.spec.containers;
    expect(pod.metadata.name).toBe("busybox-client");
    expect(container.command.join(" ")).not.toContain("sleep 3600;");
    expect(container.command.join(" ")).toContain("while true");
    expect(container.securityContext.capabilities).toEqual({ drop: ["ALL"], add: ["NET_RAW"] });
    expect(pod.spec.affinity).toBeUndefined();
  });

  it("feeds the check command the live pod and Service facts, and nothing secret", () => {
    const cmd = inputsOf("command:local:Command");
    expect(cmd.create).toBe("node_modules/.bin/tsx checks/run.ts");
    expect(cmd.environment).toMatchObject({
      POD_TO_POD_SERVER_IP: mockCluster.nginxIp,
      POD_TO_POD_CLIENT_IP: mockCluster.busyboxIp,
      POD_TO_POD_SERVICE_IP: mockCluster.clusterIp,
      POD_TO_POD_SERVER_UID: "uid-nginx-pod",
      POD_TO_POD_CLIENT_UID: "uid-busybox-pod",
      POD_TO_POD_SERVICE_UID: "uid-service",
      POD_TO_POD_PING_COUNT: "6",
      POD_TO_POD_TIMEOUT_SECONDS: "3",
      POD_TO_POD_KUBE_CONTEXT: "k3s-vm",
      POD_TO_POD_REPORT_ONLY: "false",
    });
    expect(cmd.environment.POD_TO_POD_CHECKS_VERSION).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(cmd)).not.toMatch(/client-key-data|token:/);
    expect(cmd.logging).toBe("stderr");
  });
});

describe("the program's outputs", () => {
  it("exports the pod IPs, nodes, ClusterIP and namespace", async () => {
    expect(await promiseOf(program.nginxPodIp)).toBe(mockCluster.nginxIp);
    expect(await promiseOf(program.busyboxPodIp)).toBe(mockCluster.busyboxIp);
    expect(await promiseOf(program.serviceClusterIp)).toBe(mockCluster.clusterIp);
    expect(await promiseOf(program.nginxNode)).toBe(mockCluster.node);
    expect(await promiseOf(program.busyboxNode)).toBe(mockCluster.node);
    expect(await promiseOf(program.namespace)).toBe("pod-to-pod");
  });

  it("exports the parsed verification and its report", async () => {
    const verification = await promiseOf(program.verification);
    expect(verification).toMatchObject({ passed: 9, failed: 0 });
    expect(verification.checks.map((c) => c.name)).toContain("ping");
    expect(await promiseOf(program.report)).toMatch(
      /^pod-to-pod network verification: 9 passed, 0 failed/,
    );
  });
});
