import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { runnerVersion } from "../../checks/runner";
import {
  inputsOf,
  installMocks,
  mockCluster,
  mockRunnerVerification,
  mockUid,
  promiseOf,
  registered,
  SECRET_SIG,
} from "./mocks";

const KUBECONFIG_CONTENT =
  "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: t0ps3cret-token\n";

type Program = typeof import("../../index");
let program: Program;

beforeAll(async () => {
  await installMocks();
  pulumi.runtime.setAllConfig(
    {
      "pod-to-pod:checks": JSON.stringify({ pingCount: 4, timeoutSeconds: 3 }),
      "kubernetes:context": "k3s-vm",
      "kubernetes:kubeconfig": KUBECONFIG_CONTENT,
    },
    ["kubernetes:kubeconfig"],
  );
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

  it("registers the lab and its seven components with three-part type tokens", () => {
    const components = registered
      .filter((r) => r.type.startsWith("pod-to-pod:"))
      .map((r) => r.type);
    expect(components.sort()).toEqual([
      "pod-to-pod:index:PodToPodLab",
      "pod-to-pod:lab:BusyboxClient",
      "pod-to-pod:lab:ConnectivityCheck",
      "pod-to-pod:lab:Namespace",
      "pod-to-pod:lab:NetworkPolicy",
      "pod-to-pod:lab:NginxServer",
      "pod-to-pod:lab:NginxService",
      "pod-to-pod:lab:StrangerClient",
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
    const conf = inputsOf("kubernetes:core/v1:ConfigMap", /^nginx/);
    expect(conf.data["nginx.conf"]).toContain("listen 80;");
    const pod = inputsOf("kubernetes:core/v1:Pod", /^nginx/);
    expect(pod.spec.volumes.map((v: { name: string }) => v.name)).toEqual([
      "conf",
      "identity",
      "tmp",
    ]);
    expect(pod.spec.containers[0].command).toContain("/etc/pod-to-pod-nginx/nginx.conf");
    // Named after the pod and the conf (no random suffix to churn from preview to preview).
    expect(conf.metadata.name).toMatch(/^nginx-server-conf-[0-9a-f]{10}$/);
    expect(pod.spec.volumes[0].configMap.name).toBe(conf.metadata.name);
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

  it("feeds the check command the live pod and Service facts, and nothing machine-specific", () => {
    const cmd = inputsOf("command:local:Command");
    expect(cmd.create).toBe("node checks/start.js");
    expect(cmd.dir).toBeUndefined();
    expect(cmd.environment).toEqual({
      POD_TO_POD_NAMESPACE: "pod-to-pod",
      POD_TO_POD_SERVER_POD: "nginx-server",
      POD_TO_POD_SERVER_UID: mockUid("nginx-pod"),
      POD_TO_POD_CLIENT_POD: "busybox-client",
      POD_TO_POD_CLIENT_CONTAINER: "busybox",
      POD_TO_POD_SERVICE: "nginx-service",
      POD_TO_POD_SERVER_IP: mockCluster.nginxIp,
      POD_TO_POD_CLIENT_IP: mockCluster.busyboxIp,
      POD_TO_POD_SERVER_NODE: mockCluster.node,
      POD_TO_POD_CLIENT_NODE: mockCluster.node,
      POD_TO_POD_SERVICE_IP: mockCluster.clusterIp,
      POD_TO_POD_SERVICE_PORT: "80",
      POD_TO_POD_SERVER_PORT: "80",
      POD_TO_POD_CLUSTER_DOMAIN: "cluster.local",
      POD_TO_POD_PING_COUNT: "4",
      POD_TO_POD_TIMEOUT_SECONDS: "3",
      POD_TO_POD_KUBE_CONTEXT: "k3s-vm",
      // The runner only reports: the program fails the update, with the verdict exported.
      POD_TO_POD_REPORT_ONLY: "true",
      POD_TO_POD_KUBECONFIG_ON_STDIN: "true",
      POD_TO_POD_RUNNER_VERSION: expect.stringMatching(/^0\.1\.0\+[0-9a-f]{12}$/),
      POD_TO_POD_STRANGER_POD: "stranger-client",
      POD_TO_POD_STRANGER_CONTAINER: "busybox",
      POD_TO_POD_DENY_BOUND_SECONDS: "2",
    });
    expect(cmd.logging).toBe("none");
  });

  it("re-runs the checks when a pod or the Service is replaced or what the checks do changes", () => {
    const cmd = inputsOf("command:local:Command");
    expect(cmd.triggers).toEqual([
      mockUid("nginx-pod"),
      mockUid("busybox-pod"),
      mockUid("service"),
      mockUid("stranger-pod"),
      runnerVersion(),
      // The stack's previous verdict did not fail (there was none): nothing to run again for.
      "",
    ]);
    expect(cmd.environment.POD_TO_POD_RUNNER_VERSION).toBe(runnerVersion());
  });

  it("serves the nginx pod's own UID on the identity path, from the Downward API", () => {
    const pod = inputsOf("kubernetes:core/v1:Pod", /^nginx/);
    const identity = pod.spec.volumes.find((v: { name: string }) => v.name === "identity");
    expect(identity.downwardAPI.items).toEqual([
      { path: "uid", fieldRef: { fieldPath: "metadata.uid" } },
    ]);
    const mount = pod.spec.containers[0].volumeMounts.find(
      (m: { name: string }) => m.name === "identity",
    );
    expect(mount).toEqual({
      name: "identity",
      mountPath: "/etc/pod-to-pod-identity",
      readOnly: true,
    });
  });

  it("hands the kubeconfig to the runner only as a secret on stdin", () => {
    const cmd = inputsOf("command:local:Command");
    expect(cmd.stdin).toEqual({ ...SECRET_SIG, value: KUBECONFIG_CONTENT });
    const { stdin: _secret, ...plain } = cmd;
    expect(JSON.stringify(plain)).not.toContain("t0ps3cret-token");
    for (const resource of registered.filter((r) => r.type !== "command:local:Command")) {
      expect(JSON.stringify(resource.inputs), resource.name).not.toContain("t0ps3cret-token");
    }
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

  it("exports the runner's verdict as the runner printed it, and its report", async () => {
    const verification = await promiseOf(program.verification);
    expect(verification).toEqual(mockRunnerVerification);
    expect(await promiseOf(program.report)).toMatch(
      /^pod-to-pod network verification \(7 passed, 2 failed\)\nchecked at 2026-12-01T19:00:00.000Z by runner 0.1.0\+mocked\n/,
    );
  });

  it("keeps the verdict readable though the command's output came back secret", async () => {
    // The kubeconfig is a secret input of the command, so the mocked provider returned its stdout
    // secret, as the real one may: the two outputs made of it are unsecreted, and hold no byte of it.
    expect(await pulumi.isSecret(program.verification)).toBe(false);
    expect(await pulumi.isSecret(program.report)).toBe(false);
    expect(JSON.stringify(await promiseOf(program.verification))).not.toContain("t0ps3cret");
    expect(await promiseOf(program.report)).not.toContain("t0ps3cret");
  });
});

describe("the lab's isolation", () => {
  it("denies every pod of its own namespace ingress, and lets the client alone into nginx", () => {
    const deny = inputsOf("kubernetes:networking.k8s.io/v1:NetworkPolicy", /default-deny$/);
    expect(deny.metadata).toMatchObject({
      name: "pod-to-pod-default-deny",
      namespace: "pod-to-pod",
    });
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    const allow = inputsOf("kubernetes:networking.k8s.io/v1:NetworkPolicy", /allow-client$/);
    const server = inputsOf("kubernetes:core/v1:Pod", /^nginx/);
    const client = inputsOf("kubernetes:core/v1:Pod", /^busybox/);
    const stranger = inputsOf("kubernetes:core/v1:Pod", /^stranger/);
    const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(selector).every(([key, value]) => labels[key] === value);
    expect(selects(allow.spec.podSelector.matchLabels, server.metadata.labels)).toBe(true);
    expect(selects(allow.spec.podSelector.matchLabels, client.metadata.labels)).toBe(false);
    const [from] = allow.spec.ingress[0].from;
    expect(selects(from.podSelector.matchLabels, client.metadata.labels)).toBe(true);
    expect(selects(from.podSelector.matchLabels, stranger.metadata.labels)).toBe(false);
    // No ports: ping is ICMP, which a policy port cannot name.
    expect(allow.spec.ingress[0].ports).toBeUndefined();
  });

  it("runs the stranger with no capability and as non-root", () => {
    const stranger = inputsOf("kubernetes:core/v1:Pod", /^stranger/);
    expect(stranger.metadata.name).toBe("stranger-client");
    expect(stranger.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(stranger.spec.containers[0].securityContext.capabilities).toEqual({ drop: ["ALL"] });
  });

  it("exports the policies' names", async () => {
    expect(await promiseOf(pulumi.output(program.networkPolicies))).toEqual([
      "pod-to-pod-default-deny",
      "nginx-allow-client",
    ]);
  });
});
