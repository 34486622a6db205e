import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULTS, LAB_CONFIG_KEYS, parseLabConfig, readRawLabConfig } from "../config";

interface Declaration {
  type?: string;
  default?: unknown;
  description?: string;
}

const project = parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, Declaration>;
};

/** Every key the program reads, found by letting the config module read from a recorder. */
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

  it("gives every key a type, a description and a default, so a fresh stack needs no config", () => {
    for (const [key, declaration] of Object.entries(project.config)) {
      expect(["string", "integer", "boolean", "object"], key).toContain(declaration.type);
      expect(declaration.description?.length ?? 0, key).toBeGreaterThan(20);
      expect(declaration.default, key).toBeDefined();
    }
  });

  it("states the defaults the config schema applies, and they pass it", () => {
    for (const key of LAB_CONFIG_KEYS) {
      expect(project.config[`pod-to-pod:${key}`].default, key).toEqual(DEFAULTS[key]);
    }
    const asPulumiPassesThem = (key: string) => {
      const value = project.config[`pod-to-pod:${key}`]?.default;
      return typeof value === "object" ? JSON.stringify(value) : String(value);
    };
    expect(parseLabConfig(readRawLabConfig(asPulumiPassesThem))).toEqual(DEFAULTS);
  });
});
