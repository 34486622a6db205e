import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import { DEFAULTS, kubeconfigFile, parseLabConfig } from "../config";

describe("parseLabConfig", () => {
  it("gives the documented defaults for an empty config", () => {
    const config = parseLabConfig({});
    expect(config).toMatchObject({
      namespace: "pod-to-pod",
      createNamespace: true,
      servicePort: 80,
      placement: "any",
      clusterDomain: "cluster.local",
      checks: { pingCount: 4, timeoutSeconds: 5, reportOnly: false },
    });
    expect(config.nginx).toEqual({ ...DEFAULTS.nginx });
    expect(config.nginx.image).not.toMatch(/:latest$/);
  });

  it("uses an existing built-in namespace without creating it", () => {
    expect(parseLabConfig({ namespace: "default" })).toMatchObject({
      namespace: "default",
      createNamespace: false,
    });
  });

  it("takes overrides, strings included (as pulumi config stores them)", () => {
    const config = parseLabConfig({
      nginx: {
        image: "localhost/pod-to-pod/nginx:1.22.1-deb12",
        imagePullPolicy: "Never",
        port: 8080,
      },
      checks: { pingCount: "10", reportOnly: "true" },
      servicePort: "8081",
      placement: "different-nodes",
    });
    expect(config.nginx).toMatchObject({
      image: "localhost/pod-to-pod/nginx:1.22.1-deb12",
      imagePullPolicy: "Never",
      port: 8080,
    });
    expect(config.checks).toEqual({ pingCount: 10, timeoutSeconds: 5, reportOnly: true });
    expect(config.servicePort).toBe(8081);
    expect(config.placement).toBe("different-nodes");
  });

  it("accepts a digest-pinned image", () => {
    const image = `registry.example:5000/team/nginx@sha256:${"a".repeat(64)}`;
    expect(parseLabConfig({ nginx: { image } }).nginx.image).toBe(image);
  });

  it.each([
    [{ nginx: { image: "nginx latest" } }, "pod-to-pod:nginx.image", "expected an image reference"],
    [
      { busybox: { image: "Busybox:1.37" } },
      "pod-to-pod:busybox.image",
      "expected an image reference",
    ],
    [
      { nginx: { imagePullPolicy: "Sometimes" } },
      "pod-to-pod:nginx.imagePullPolicy",
      "Always, IfNotPresent, Never",
    ],
    [{ nginx: { port: 0 } }, "pod-to-pod:nginx.port", "from 1 to 65535"],
    [{ servicePort: "70000" }, "pod-to-pod:servicePort", "from 1 to 65535"],
    [{ servicePort: "eighty" }, "pod-to-pod:servicePort", "whole number"],
    [{ namespace: "Pod_To_Pod" }, "pod-to-pod:namespace", "DNS label"],
    [{ namespace: "a".repeat(64) }, "pod-to-pod:namespace", "at most 63"],
    [{ checks: { pingCount: 0 } }, "pod-to-pod:checks.pingCount", "from 1 to 100"],
    [{ checks: { timeoutSeconds: 2.5 } }, "pod-to-pod:checks.timeoutSeconds", "from 1 to 60"],
    [{ checks: { reportOnly: "yes" } }, "pod-to-pod:checks.reportOnly", "true or false"],
    [
      { checks: { pingcount: 3 } },
      "pod-to-pod:checks.pingcount",
      "checks accepts pingCount, timeoutSeconds, reportOnly",
    ],
    [{ placement: "elsewhere" }, "pod-to-pod:placement", "any, same-node, different-nodes"],
    [{ clusterDomain: "cluster..local" }, "pod-to-pod:clusterDomain", "DNS domain"],
    [{ podReadyTimeoutSeconds: "5" }, "pod-to-pod:podReadyTimeoutSeconds", "from 10 to 3600"],
    [{ nginx: "nginx:1.28.0" }, "pod-to-pod:nginx", "expected an object"],
    [
      { nginx: { resources: { limits: { memory: "lots" } } } },
      "pod-to-pod:nginx.resources.limits.memory",
      "quantity",
    ],
    [
      { nginx: { resources: { requests: { cpu: "2" } } } },
      "pod-to-pod:nginx.resources.requests.cpu",
      "must not exceed limits.cpu",
    ],
    [
      { namespace: "kube-system", createNamespace: "true" },
      "pod-to-pod:createNamespace",
      "Kubernetes owns the namespace",
    ],
  ])("rejects %j, naming %s", (raw, key, accepted) => {
    expect(() => parseLabConfig(raw)).toThrow(key);
    expect(() => parseLabConfig(raw)).toThrow(accepted);
  });

  it("lists every problem at once", () => {
    expect(() =>
      parseLabConfig({ servicePort: "0", placement: "x", nginx: { image: "bad image" } }),
    ).toThrow(/3 problems[\s\S]*nginx\.image[\s\S]*servicePort[\s\S]*placement/);
  });
});

describe("kubeconfigFile", () => {
  it("passes a path through untouched", () => {
    expect(kubeconfigFile("/etc/rancher/k3s/k3s.yaml")).toBe("/etc/rancher/k3s/k3s.yaml");
  });

  it("writes kubeconfig contents to a private file and returns only its path", () => {
    const content = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: s3cret\n";
    const file = kubeconfigFile(content);
    expect(file).not.toContain("s3cret");
    expect(fs.readFileSync(file, "utf8")).toBe(content);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
