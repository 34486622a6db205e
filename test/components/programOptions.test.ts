import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { inputsOf, installMocks, promiseOf, registered } from "./mocks";

beforeAll(async () => {
  await installMocks();
});

async function runProgram(
  config: Record<string, string>,
  env: Record<string, string | undefined> = { KUBECTL: process.execPath },
) {
  registered.length = 0;
  vi.resetModules();
  // The whole config, replaced: nothing one case sets leaks into the next.
  pulumi.runtime.setAllConfig(config, []);
  Object.assign(process.env, env);
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) {
      delete process.env[key];
    }
  }
  const program = await import("../../index");
  await promiseOf(program.report);
  return program;
}

describe("the program with other settings", () => {
  it("uses an existing namespace without creating one, and pins the client to the server's node", async () => {
    const program = await runProgram({
      "pod-to-pod:namespace": "default",
      "pod-to-pod:placement": "same-node",
    });
    expect(registered.filter((r) => r.type === "kubernetes:core/v1:Namespace")).toEqual([]);
    expect(await promiseOf(program.namespace)).toBe("default");
    const client = inputsOf("kubernetes:core/v1:Pod", /^busybox/);
    const server = inputsOf("kubernetes:core/v1:Pod", /^nginx/);
    const [term] = client.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    expect(term.topologyKey).toBe("kubernetes.io/hostname");
    for (const [key, value] of Object.entries(term.labelSelector.matchLabels)) {
      expect(server.metadata.labels[key]).toBe(value);
    }
  });

  it("keeps the client off the server's node for different-nodes, and follows a custom port", async () => {
    await runProgram({
      "pod-to-pod:placement": "different-nodes",
      "pod-to-pod:nginx": JSON.stringify({ port: 8080 }),
      "pod-to-pod:servicePort": "8081",
    });
    const client = inputsOf("kubernetes:core/v1:Pod", /^busybox/);
    expect(
      client.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
    ).toHaveLength(1);
    const server = inputsOf("kubernetes:core/v1:Pod", /^nginx/);
    expect(server.spec.containers[0].ports[0].containerPort).toBe(8080);
    // Port 8080 needs no sysctl: the pod asks for nothing it does not need.
    expect(server.spec.securityContext.sysctls).toBeUndefined();
    expect(inputsOf("kubernetes:core/v1:Service").spec.ports[0]).toMatchObject({
      port: 8081,
      targetPort: "http",
    });
    expect(inputsOf("kubernetes:core/v1:ConfigMap", /^nginx/).data["nginx.conf"]).toContain(
      "listen 8080;",
    );
  });

  it("fails on bad config before registering any resource", async () => {
    await expect(
      runProgram({
        "pod-to-pod:placement": "everywhere",
        "pod-to-pod:checks": JSON.stringify({ pingCount: -1 }),
      }),
    ).rejects.toThrow(
      /pod-to-pod:placement = "everywhere" is not valid: expected one of any, same-node, different-nodes[\s\S]*pod-to-pod:checks\.pingCount = -1/,
    );
    await expect(runProgram({ "pod-to-pod:placement": "everywhere" })).rejects.toThrow(
      pulumi.RunError,
    );
    expect(registered).toEqual([]);
  });

  it("fails without kubectl before registering any resource", async () => {
    await expect(runProgram({}, { KUBECTL: "/nonexistent/kubectl" })).rejects.toThrow(
      /kubectl was not found \(looked for "\/nonexistent\/kubectl"/,
    );
    await expect(runProgram({}, { KUBECTL: "/nonexistent/kubectl" })).rejects.toThrow(
      pulumi.RunError,
    );
    expect(registered).toEqual([]);
  });
});
