import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS, parseLabArgs, parseLabConfig, readRawLabConfig } from "../config";
import { imageReferenceProblem } from "../config/imageReference";
import { compareQuantities, parseQuantity, QUANTITY_MAX } from "../config/quantity";

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
    [{ servicePort: "eighty" }, "pod-to-pod:servicePort", "expected an integer from 1 to 65535"],
    [{ servicePort: "0x50" }, "pod-to-pod:servicePort", "expected an integer from 1 to 65535"],
    [{ checks: { pingCount: "1e2" } }, "pod-to-pod:checks.pingCount", "an integer from 1 to 100"],
    [{ nginx: { resources: { requests: { cpu: "-1" } } } }, "requests.cpu", "zero or more"],
    [
      { nginx: { resources: { limits: { cpu: "1e400" } } } },
      "limits.cpu",
      "at most 9223372036854775807",
    ],
    [{ nginx: { image: "-/nginx:1" } }, "pod-to-pod:nginx.image", 'path component "-"'],
    [{ nginx: { image: "...:5000/x" } }, "pod-to-pod:nginx.image", 'registry "...:5000"'],
    [{ namespace: "Pod_To_Pod" }, "pod-to-pod:namespace", "DNS label"],
    [{ namespace: "a".repeat(64) }, "pod-to-pod:namespace", "at most 63"],
    [{ checks: { pingCount: 0 } }, "pod-to-pod:checks.pingCount", "from 1 to 100"],
    [{ checks: { timeoutSeconds: 2.5 } }, "pod-to-pod:checks.timeoutSeconds", "from 1 to 60"],
    [{ checks: { reportOnly: "yes" } }, "pod-to-pod:checks.reportOnly", "true or false"],
    [
      { checks: { pingcount: 3 } },
      "pod-to-pod:checks.pingcount",
      "did you mean pod-to-pod:checks.pingCount? (the keys of pod-to-pod:checks are pingCount, timeoutSeconds, reportOnly)",
    ],
    [{ nginxx: { image: "nginx:1" } }, "pod-to-pod:nginxx", "did you mean pod-to-pod:nginx?"],
    [
      { "nginx.image": "nginx:1.27.0" },
      "pod-to-pod:nginx.image",
      "one key literally named \"nginx.image\", which nothing reads: to set image inside pod-to-pod:nginx, run pulumi config rm 'pod-to-pod:nginx.image' and then pulumi config set --path 'pod-to-pod:nginx.image' <value>",
    ],
    [
      { frobnicate: "1" },
      "pod-to-pod:frobnicate",
      "unknown key; the keys of pod-to-pod are namespace, createNamespace",
    ],
    [{ placement: "elsewhere" }, "pod-to-pod:placement", "any, same-node, different-nodes"],
    [{ clusterDomain: "cluster..local" }, "pod-to-pod:clusterDomain", "it has an empty label"],
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

describe("parseLabConfig with the quantities Kubernetes compares exactly", () => {
  const cpu = (requests: string, limits: string) => () =>
    parseLabConfig({
      nginx: { resources: { requests: { cpu: requests }, limits: { cpu: limits } } },
    });

  it.each([
    ["9m", "0.009"],
    ["0.1", "100m"],
    ["+1", "1"],
    ["1e-3", "1m"],
    ["0.0001", "1m"],
    ["1k", "1e3"],
  ])("accepts requests.cpu %s with limits.cpu %s: the same quantity", (requests, limits) => {
    expect(cpu(requests, limits)).not.toThrow();
  });

  it("refuses a request a thousandth above its limit", () => {
    expect(cpu("10m", "0.009")).toThrow("must not exceed limits.cpu (0.009)");
  });
});

describe("parseQuantity", () => {
  // Forms from k8s.io/apimachinery's quantity tests, with the value Kubernetes keeps, in thousandths.
  it.each([
    ["0", 0n],
    ["0n", 0n],
    ["0Ki", 0n],
    ["250m", 250n],
    [".5", 500n],
    ["5.", 5000n],
    ["+1", 1000n],
    ["1.5Gi", 1610612736000n],
    ["1Ti", 1099511627776000n],
    ["1M", 1000000000n],
    ["1e3", 1000000n],
    ["1E3", 1000000n],
    ["12e-3", 12n],
    ["0.1m", 1n],
    ["1n", 1n],
    ["100u", 1n],
    ["0.30000000000000004", 301n],
    ["8Ei", 9223372036854775808000n],
  ])("reads %s as %s thousandths", (text, milli) => {
    expect(parseQuantity(text)?.milli).toBe(milli);
  });

  it("knows what Kubernetes would cap", () => {
    expect(parseQuantity(String(QUANTITY_MAX))?.tooLarge).toBe(false);
    expect(parseQuantity(String(QUANTITY_MAX + 1n))?.tooLarge).toBe(true);
    expect(parseQuantity("1e400")?.tooLarge).toBe(true);
    expect(parseQuantity("8Ei")?.tooLarge).toBe(true);
  });

  it.each(["lots", "1.2.3", "1Ki5", "--1", "1 Mi", "1mi", "", "e3", "0x10"])(
    "is undefined for %j",
    (text) => {
      expect(parseQuantity(text)).toBeUndefined();
    },
  );

  it("orders quantities exactly, signs included", () => {
    const q = (text: string) => parseQuantity(text)!;
    expect(compareQuantities(q("9m"), q("0.009"))).toBe(0);
    expect(compareQuantities(q("1Ki"), q("1k"))).toBe(1);
    expect(compareQuantities(q("-1"), q("0"))).toBe(-1);
    // As floats these two are equal (1e15): exactly, the first is a thousandth below.
    expect(compareQuantities(q("999999999999999999m"), q("1e15"))).toBe(-1);
  });
});

describe("imageReferenceProblem", () => {
  // Cases from the distribution project's reference tests.
  it.each([
    "nginx",
    "nginx:1.28.0",
    "library/nginx:latest",
    "docker.io/library/nginx:1.28.0",
    "localhost/pod-to-pod/nginx:1.22.1-deb12",
    "localhost:5000/nginx",
    "registry.example:5000/team/nginx@sha256:" + "a".repeat(64),
    "nginx:1.28.0@sha256:" + "b".repeat(64),
    "ab_c__d-e/f--g.h:tag_1.0-x",
    "[2001:db8::1]:5000/nginx:1",
    "192.168.1.1:5000/x",
    "Registry.Example/nginx",
  ])("accepts %s", (reference) => {
    expect(imageReferenceProblem(reference)).toBeUndefined();
  });

  it.each([
    ["-/nginx:1", 'path component "-"'],
    ["...:5000/x", 'registry "...:5000"'],
    ["nginx latest", 'path component "nginx latest"'],
    ["Nginx", 'path component "Nginx"'],
    ["nginx:-tag", 'tag "-tag"'],
    ["nginx:" + "t".repeat(129), "at most 128"],
    ["nginx@sha256:abc", 'digest "sha256:abc"'],
    ["nginx@sha256:" + "A".repeat(64), "64 lowercase hex"],
    ["a//b", 'path component ""'],
    ["nginx_/x", 'path component "nginx_"'],
    ["a_b.example/x", 'registry "a_b.example"'],
    [":tag", "the name is empty"],
    ["a/" + "b".repeat(255), "longer than 255"],
  ])("refuses %s: %s", (reference, problem) => {
    expect(imageReferenceProblem(reference)).toContain(problem);
  });
});

/** The namespace's own keys, as a refusal of an unknown one lists them. */
const LAB_KEYS =
  "namespace, createNamespace, nginx, busybox, servicePort, placement, networkPolicy, coverage, mesh, clusterDomain, podReadyTimeoutSeconds, checks";

/** The message of the RunError parseLabConfig throws for these problems of the stack's config. */
function configError(...problems: string[]): string {
  return `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`;
}

/** What `parse` throws, as its message; "accepted" when it throws nothing. */
function messageOf(parse: () => unknown): string {
  try {
    parse();
    return "accepted";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe("a config key named after an object's machinery", () => {
  it.each(["__proto__", "constructor", "prototype"])(
    "pod-to-pod:%s is refused, named with the accepted keys, and overrides nothing",
    (key) => {
      const raw = readRawLabConfig({
        [`pod-to-pod:${key}`]: '{"servicePort":"8080"}',
        "pod-to-pod:placement": "same-node",
      });
      expect(messageOf(() => parseLabConfig(raw))).toBe(
        configError(
          `pod-to-pod:${key} = {"servicePort":"8080"} is not valid: unknown key; the keys of pod-to-pod are ${LAB_KEYS}`,
        ),
      );
    },
  );

  it("is refused inside an object too", () => {
    const raw = readRawLabConfig({ "pod-to-pod:nginx": '{"__proto__":{"port":8080}}' });
    expect(messageOf(() => parseLabConfig(raw))).toBe(
      configError(
        'pod-to-pod:nginx.__proto__ = {"port":8080} is not valid: unknown key; the keys of pod-to-pod:nginx are image, imagePullPolicy, resources, port',
      ),
    );
  });

  it("is refused among a component's arguments (as another language's SDK sends them)", () => {
    const args = JSON.parse('{"__proto__":{"servicePort":8080}}') as Record<string, unknown>;
    expect(messageOf(() => parseLabArgs('PodToPodLab "edge"', args))).toBe(
      `Invalid arguments of PodToPodLab "edge" (1 problem):\n  - __proto__ = {"servicePort":8080} is not valid: unknown key; the arguments of PodToPodLab "edge" are ${LAB_KEYS}`,
    );
  });
});

describe("clusterDomain", () => {
  const DNS_NAME =
    "expected a DNS name such as cluster.local: labels of 1 to 63 characters (a-z, 0-9, '-', not starting or ending with '-') joined by '.', at most 253 characters in all";
  const refusal = (domain: string, why: string) =>
    configError(
      `pod-to-pod:clusterDomain = ${JSON.stringify(domain)} is not valid: ${DNS_NAME}; ${why}`,
    );
  /** A valid domain of exactly `length` characters: labels of 63 and a shorter last one. */
  const domainOf = (length: number) =>
    Array.from({ length: Math.ceil(length / 64) }, (_, i) =>
      "a".repeat(Math.min(63, length - i * 64)),
    ).join(".");

  it.each(["cluster.local", "lab", "k8s-1.example.com", `${"a".repeat(63)}.local`])(
    "accepts %s",
    (clusterDomain) => {
      expect(parseLabConfig({ clusterDomain }).clusterDomain).toBe(clusterDomain);
    },
  );

  it.each([
    [`${"a".repeat(64)}.local`, `the label "${"a".repeat(64)}" has 64 characters`],
    ["cluster..local", "it has an empty label"],
    ["cluster.local.", "it has an empty label"],
    ["", "it has an empty label"],
    ["-cluster.local", "the label \"-cluster\" starts or ends with '-'"],
    ["cluster-.local", "the label \"cluster-\" starts or ends with '-'"],
    ["Cluster.local", "the label \"Cluster\" has a character other than a-z, 0-9 and '-'"],
    ["cluster_local", "the label \"cluster_local\" has a character other than a-z, 0-9 and '-'"],
    [domainOf(254), "it has 254 characters"],
  ])("refuses %j: %s", (clusterDomain, why) => {
    expect(messageOf(() => parseLabConfig({ clusterDomain }))).toBe(refusal(clusterDomain, why));
  });

  it("accepts the longest domain the lab's Service names fit in", () => {
    expect(domainOf(174)).toHaveLength(174);
    expect(parseLabConfig({ clusterDomain: domainOf(174) }).clusterDomain).toBe(domainOf(174));
    // A longer namespace leaves less room.
    expect(
      parseLabConfig({ namespace: "a".repeat(63), clusterDomain: domainOf(121) }).clusterDomain,
    ).toBe(domainOf(121));
  });

  it.each([
    ["pod-to-pod", 175, 174],
    ["a".repeat(63), 122, 121],
  ])(
    "refuses, with the namespace %s, a domain of %i characters: the Service's FQDN would not fit in 253",
    (namespace, length, most) => {
      expect(messageOf(() => parseLabConfig({ namespace, clusterDomain: domainOf(length) }))).toBe(
        configError(
          `pod-to-pod:clusterDomain = "${domainOf(length)}" is not valid: expected a domain that leaves room for the lab's Service names: <service>.<namespace>.svc.<domain> must fit in 253 characters, so with a Service name of up to 63 characters and the namespace "${namespace}" the domain has at most ${most} characters (this one has ${length})`,
        ),
      );
    },
  );
});

describe("a zero resource quantity", () => {
  it.each([
    ["limits", "memory", "0", "a zero limit reaches the container runtime as no limit at all"],
    ["limits", "cpu", "0m", "a zero limit reaches the container runtime as no limit at all"],
    ["limits", "cpu", 0, "a zero limit reaches the container runtime as no limit at all"],
    ["requests", "memory", "0Ki", "a zero request reserves nothing for the container on its node"],
    ["requests", "cpu", "0.0", "a zero request reserves nothing for the container on its node"],
    ["requests", "cpu", "-0", "a zero request reserves nothing for the container on its node"],
  ])("is refused: %s.%s %j, naming the key", (kind, resource, value, why) => {
    const raw = { busybox: { resources: { [kind]: { [resource]: value } } } };
    expect(messageOf(() => parseLabConfig(raw))).toBe(
      configError(
        `pod-to-pod:busybox.resources.${kind}.${resource} = ${JSON.stringify(String(value))} is not valid: expected a quantity above zero: ${why}`,
      ),
    );
  });

  it("is refused on both sides, each named once (no comparison of a request with a zero limit)", () => {
    const raw = { nginx: { resources: { requests: { memory: "0" }, limits: { memory: "0" } } } };
    expect(messageOf(() => parseLabConfig(raw))).toBe(
      configError(
        'pod-to-pod:nginx.resources.requests.memory = "0" is not valid: expected a quantity above zero: a zero request reserves nothing for the container on its node',
        'pod-to-pod:nginx.resources.limits.memory = "0" is not valid: expected a quantity above zero: a zero limit reaches the container runtime as no limit at all',
      ),
    );
  });

  it("the smallest quantity above zero is accepted", () => {
    const raw = { nginx: { resources: { requests: { cpu: "1m" }, limits: { cpu: "1m" } } } };
    expect(parseLabConfig(raw).nginx.resources.limits.cpu).toBe("1m");
  });
});

describe("a port out of range", () => {
  const PORT = "expected an integer from 1 to 65535";

  it.each([
    ["pod-to-pod:servicePort", "99999999999", "99999999999"],
    ["pod-to-pod:servicePort", "99999999999999999999", '"99999999999999999999"'],
    ["pod-to-pod:servicePort", "9".repeat(400), `"${"9".repeat(400)}"`],
    ["pod-to-pod:servicePort", "65536", "65536"],
    ["pod-to-pod:servicePort", "0", "0"],
    ["pod-to-pod:nginx", '{"port":99999999999}', "99999999999"],
    ["pod-to-pod:nginx", '{"port":1e400}', "Infinity"],
    ["pod-to-pod:nginx", '{"port":80.5}', "80.5"],
  ])("%s = %s is named, with the value given, once", (key, value, shown) => {
    const raw = readRawLabConfig({ [key]: value });
    const named = key === "pod-to-pod:nginx" ? "pod-to-pod:nginx.port" : key;
    expect(messageOf(() => parseLabConfig(raw))).toBe(
      configError(`${named} = ${shown} is not valid: ${PORT}`),
    );
  });

  it.each([
    [Number.POSITIVE_INFINITY, "Infinity"],
    [Number.NaN, "NaN"],
    [99999999999n, "99999999999n"],
  ])("servicePort %s among a component's arguments is named", (servicePort, shown) => {
    expect(messageOf(() => parseLabArgs('PodToPodLab "edge"', { servicePort }))).toBe(
      `Invalid arguments of PodToPodLab "edge" (1 problem):\n  - servicePort = ${shown} is not valid: ${PORT}`,
    );
  });
});

describe("a mutable image tag", () => {
  const MOVES = "so pulumi up would deploy different code with no diff";
  it.each([
    ["nginx", "nginx:latest", `the tag "latest" moves, ${MOVES}`],
    ["busybox", "busybox:latest", `the tag "latest" moves, ${MOVES}`],
    ["nginx", "nginx", `with no tag it is nginx:latest, whose tag moves, ${MOVES}`],
    [
      "busybox",
      "registry.example:5000/team/busybox",
      `with no tag it is registry.example:5000/team/busybox:latest, whose tag moves, ${MOVES}`,
    ],
    ["nginx", "docker.io/library/nginx:latest", `the tag "latest" moves, ${MOVES}`],
  ])("is refused for %s: %s", (workload, image, why) => {
    const repository = image.replace(/:latest$/, "");
    expect(messageOf(() => parseLabConfig({ [workload]: { image } }))).toBe(
      configError(
        `pod-to-pod:${workload}.image = "${image}" is not valid: expected an image pinned by a fixed tag or a digest, such as ${repository}:<version> or ${repository}@sha256:<64 hex>: ${why}`,
      ),
    );
  });

  it.each([
    "nginx:1.28.0",
    `nginx@sha256:${"c".repeat(64)}`,
    `nginx:latest@sha256:${"d".repeat(64)}`,
    "localhost:5000/nginx:1.28.0",
    "localhost/pod-to-pod/nginx:1.22.1-deb12",
  ])("a fixed tag or a digest is accepted: %s", (image) => {
    expect(parseLabConfig({ nginx: { image } }).nginx.image).toBe(image);
  });
});
