import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS, LAB_CONFIG_KEYS } from "../../config";
import { GO_MODULE, REPOSITORY } from "../../components/packageSchema";
import { PULUMI_ROOT } from "../../tools/lib/engine";
import { PROJECT_DIR, run } from "./cli";

/**
 * The package as `pulumi package add` sees it: the real CLI runs plugin.ts through PulumiPlugin.yaml
 * and prints the schema the component provider derives from the TypeScript types. No cluster.
 */
interface SchemaProperty {
  readonly type?: string;
  readonly $ref?: string;
  readonly plain?: boolean;
  readonly description?: string;
  readonly items?: SchemaProperty;
}
interface SchemaType {
  readonly properties: Record<string, SchemaProperty>;
}
interface Schema {
  readonly name: string;
  readonly version: string;
  readonly repository?: string;
  readonly language: { readonly go?: { readonly importBasePath?: string } };
  readonly resources: Record<
    string,
    {
      readonly isComponent?: boolean;
      readonly description?: string;
      readonly inputProperties: Record<string, SchemaProperty>;
      readonly requiredInputs?: string[];
      readonly properties: Record<string, SchemaProperty>;
      readonly required?: string[];
    }
  >;
  readonly types: Record<string, SchemaType>;
}

let scratch: string;
let schema: Schema;

beforeAll(() => {
  // From a folder of its own, as a consumer runs it: nothing may depend on the package's checkout
  // being the working directory.
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-pkg-schema-"));
  const result = run(path.join(PULUMI_ROOT, "bin", "pulumi"), [
    "package",
    "get-schema",
    PROJECT_DIR,
    "--cwd",
    scratch,
  ]);
  expect(result.code, result.stderr).toBe(0);
  schema = JSON.parse(result.stdout) as Schema;
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const refName = (property: SchemaProperty) => property.$ref?.replace("#/types/", "") ?? "";

describe("pulumi package get-schema", () => {
  it("prints the package pod-to-pod at package.json's version, with the one component PodToPodLab", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
    expect(schema.name).toBe("pod-to-pod");
    expect(schema.version).toBe(manifest.version);
    expect(Object.keys(schema.resources)).toEqual(["pod-to-pod:index:PodToPodLab"]);
    expect(schema.resources["pod-to-pod:index:PodToPodLab"].isComponent).toBe(true);
  });

  it("names the repository, so the Go SDK's module is github.com/pod-to-pod/pod-to-pod/sdk/go", () => {
    expect(schema.repository).toBe(REPOSITORY);
    expect(schema.language.go?.importBasePath).toBe(`${GO_MODULE}/podtopod`);
  });

  it("takes the stack config's keys as plain, optional, documented arguments, and the choice of names", () => {
    const lab = schema.resources["pod-to-pod:index:PodToPodLab"];
    expect(Object.keys(lab.inputProperties).sort()).toEqual(
      [...LAB_CONFIG_KEYS, "walkthroughNames"].sort(),
    );
    expect(lab.requiredInputs ?? []).toEqual([]);
    for (const [name, property] of Object.entries(lab.inputProperties)) {
      expect(property.plain, name).toBe(true);
      expect(property.description, name).toMatch(/\S/);
    }
    // Each settings object has the config's keys, all the way down.
    const keysOf = (property: SchemaProperty): unknown =>
      property.$ref
        ? Object.fromEntries(
            Object.entries(schema.types[refName(property)].properties).map(([k, v]) => [
              k,
              keysOf(v),
            ]),
          )
        : property.type;
    const configKeys = (value: unknown): unknown =>
      value && typeof value === "object"
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, configKeys(v)]))
        : typeof value === "string"
          ? "string"
          : typeof value;
    for (const key of ["nginx", "busybox", "checks", "mesh"] as const) {
      expect(keysOf(lab.inputProperties[key]), key).toEqual(configKeys(DEFAULTS[key]));
    }
  });

  it("gives the program's stack outputs as the component's outputs", () => {
    const program = fs.readFileSync(path.join(PROJECT_DIR, "index.ts"), "utf8");
    const exported = [...program.matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
    const lab = schema.resources["pod-to-pod:index:PodToPodLab"];
    expect(Object.keys(lab.properties).sort()).toEqual([...exported].sort());
    expect([...(lab.required ?? [])].sort()).toEqual([...exported].sort());
    const verification = schema.types[refName(lab.properties.verification)];
    expect(Object.keys(verification.properties).sort()).toEqual([
      "checkedAt",
      "checks",
      "diagnosis",
      "failed",
      "mesh",
      "passed",
      "runnerVersion",
    ]);
    expect(lab.properties.networkPolicies).toMatchObject({
      type: "array",
      items: { type: "string" },
    });
  });
});
