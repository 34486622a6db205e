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

/** Every key the program accepts: the schema's own (any other key is an error). */
function keysTheProgramReads(): string[] {
  return LAB_CONFIG_KEYS.map((key) => `pod-to-pod:${key}`).sort();
}

/** The project's own keys (pod-to-pod:*), as opposed to values it sets for a provider. */
const ownKeys = Object.keys(project.config).filter((key) => key.startsWith("pod-to-pod:"));

describe("Pulumi.yaml", () => {
  it("declares exactly the keys the program reads", () => {
    expect(project.name).toBe("pod-to-pod");
    expect(ownKeys.sort()).toEqual(keysTheProgramReads());
  });

  it("sets one provider value: the kubernetes provider adopts a leftover of an interrupted create", () => {
    const providerValues = Object.fromEntries(
      Object.entries(project.config).filter(([key]) => !key.startsWith("pod-to-pod:")),
    );
    expect(providerValues).toEqual({ "kubernetes:upsertExistingObjects": true });
  });

  it("gives every key a type, a description and a default, so a fresh stack needs no config", () => {
    for (const key of ownKeys) {
      const declaration = project.config[key];
      expect(["string", "integer", "boolean", "object"], key).toContain(declaration.type);
      expect(declaration.description?.length ?? 0, key).toBeGreaterThan(20);
      expect(declaration.default, key).toBeDefined();
    }
  });

  it("states the defaults the config schema applies, and they pass it", () => {
    for (const key of LAB_CONFIG_KEYS) {
      expect(project.config[`pod-to-pod:${key}`].default, key).toEqual(DEFAULTS[key]);
    }
    // As the engine passes them to the program: every key, objects as JSON text.
    const asPulumiPassesThem = Object.fromEntries(
      Object.entries(project.config).map(([key, declaration]) => {
        const value = typeof declaration === "object" ? declaration.default : declaration;
        return [key, typeof value === "object" ? JSON.stringify(value) : String(value)];
      }),
    );
    expect(parseLabConfig(readRawLabConfig(asPulumiPassesThem))).toEqual(DEFAULTS);
  });
});
