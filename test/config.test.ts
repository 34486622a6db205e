import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS, parseLabConfig } from "../config";
import { quantityValue } from "../config/quantity";

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

  it.each(["default", "kube-system"])(
    "uses the built-in namespace %s without creating it, even when asked to",
    (namespace) => {
      expect(parseLabConfig({ namespace, createNamespace: "true" })).toMatchObject({
        namespace,
        createNamespace: false,
      });
    },
  );

  it("accepts every quantity form Kubernetes accepts", () => {
    const config = parseLabConfig({
      nginx: {
        resources: {
          requests: { cpu: ".5", memory: "1.5Gi" },
          limits: { cpu: 1, memory: "1Ti" },
        },
      },
    });
    expect(config.nginx.resources).toEqual({
      requests: { cpu: ".5", memory: "1.5Gi" },
      limits: { cpu: "1", memory: "1Ti" },
    });
  });

  it("fills the rest of an object from the defaults", () => {
    const config = parseLabConfig({ nginx: { resources: { limits: { cpu: "1" } } } });
    expect(config.nginx.resources.limits).toEqual({ cpu: "1", memory: "64Mi" });
    expect(config.nginx.image).toBe(DEFAULTS.nginx.image);
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
    [{ servicePort: "0x50" }, "pod-to-pod:servicePort", "whole number"],
    [{ checks: { pingCount: "1e2" } }, "pod-to-pod:checks.pingCount", "whole number"],
    [{ nginx: { resources: { requests: { cpu: "-1" } } } }, "requests.cpu", "quantity"],
    [{ namespace: "Pod_To_Pod" }, "pod-to-pod:namespace", "DNS label"],
    [{ namespace: "a".repeat(64) }, "pod-to-pod:namespace", "at most 63"],
    [{ checks: { pingCount: 0 } }, "pod-to-pod:checks.pingCount", "from 1 to 100"],
    [{ checks: { timeoutSeconds: 2.5 } }, "pod-to-pod:checks.timeoutSeconds", "from 1 to 60"],
    [{ checks: { reportOnly: "yes" } }, "pod-to-pod:checks.reportOnly", "true or false"],
    [
      { checks: { pingcount: 3 } },
      "pod-to-pod:checks.pingcount",
      "the keys here are pingCount, timeoutSeconds, reportOnly",
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
    [{ createNamespace: "yes" }, "pod-to-pod:createNamespace", "true or false"],
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

describe("a config mistake", () => {
  it("is a RunError, which the CLI prints as a message without a stack trace", () => {
    expect(() => parseLabConfig({ placement: "x" })).toThrow(pulumi.RunError);
  });
});

describe("quantityValue", () => {
  it.each([
    ["250m", 0.25],
    [".5", 0.5],
    ["2", 2],
    ["64Mi", 64 * 2 ** 20],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1Ti", 2 ** 40],
    ["1M", 1e6],
    ["1e3", 1000],
  ])("reads %s as %d", (quantity, value) => {
    expect(quantityValue(quantity)).toBeCloseTo(value);
  });

  it("is NaN for what is not a quantity", () => {
    expect(quantityValue("lots")).toBeNaN();
  });
});
