import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULTS, readRawLabConfig } from "../config";

interface Declaration {
  type?: string;
  default?: unknown;
  description?: string;
}

const project = parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, Declaration>;
};

/** Every key the program reads, found by letting config.ts read from a recorder. */
function keysTheProgramReads(): string[] {
  const keys: string[] = [];
  readRawLabConfig((key) => {
    keys.push(`pod-to-pod:${key}`);
    return undefined;
  });
  return keys.sort();
}

describe("Pulumi.yaml", () => {
  it("declares exactly the keys the program reads", () => {
    expect(project.name).toBe("pod-to-pod");
    expect(Object.keys(project.config).sort()).toEqual(keysTheProgramReads());
  });

  it("gives every key a type Pulumi 3.270 accepts and a description", () => {
    for (const [key, declaration] of Object.entries(project.config)) {
      expect(["string", "integer", "boolean", "object"], key).toContain(declaration.type);
      expect(declaration.description?.length ?? 0, key).toBeGreaterThan(20);
    }
  });

  it("states the same scalar defaults config.ts applies", () => {
    const declared = (key: string) => project.config[`pod-to-pod:${key}`].default;
    expect(declared("namespace")).toBe(DEFAULTS.namespace);
    expect(declared("servicePort")).toBe(DEFAULTS.servicePort);
    expect(declared("placement")).toBe(DEFAULTS.placement);
    expect(declared("clusterDomain")).toBe(DEFAULTS.clusterDomain);
    expect(declared("podReadyTimeoutSeconds")).toBe(DEFAULTS.podReadyTimeoutSeconds);
  });

  it("documents the object keys' defaults in their descriptions", () => {
    const description = (key: string) => project.config[`pod-to-pod:${key}`].description ?? "";
    expect(description("nginx")).toContain(DEFAULTS.nginx.image);
    expect(description("busybox")).toContain(DEFAULTS.busybox.image);
    expect(description("checks")).toContain(`default ${DEFAULTS.checks.pingCount}`);
  });
});
