import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../policy/policies";
import { installMocks, promiseOf, registered, urnOf } from "../components/mocks";
import { PackConfig, runPack, StackResource } from "./harness";

/** The program with `pod-to-pod:networkPolicy: false`: the walkthrough's open lab under the pack. */
let resources: StackResource[];

beforeAll(async () => {
  await installMocks();
  pulumi.runtime.setAllConfig({ "pod-to-pod:networkPolicy": "false" }, []);
  process.env.KUBECTL = process.execPath;
  const program = await import("../../index");
  await promiseOf(program.report);
  resources = registered.map((r) => ({
    type: r.type,
    name: r.name,
    inputs: r.inputs,
    urn: urnOf(r.type, r.name),
  }));
});

const openLab = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "policy", "open-lab.json"), "utf8"),
) as PackConfig;

describe("the open lab (isolation off) under the pack", () => {
  it("registers no NetworkPolicy and no stranger", () => {
    expect(resources.map((r) => r.type)).not.toContain(
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    );
    expect(resources.filter((r) => r.type === "kubernetes:core/v1:Pod")).toHaveLength(2);
  });

  it("is refused by pod-networkpolicy by default, once per pod (the image checks' pods too)", async () => {
    const mandatory = (await runPack(policies, resources, {})).filter(
      (f) => f.policy === "pod-networkpolicy",
    );
    expect(mandatory.map((f) => f.level)).toEqual([
      "mandatory",
      "mandatory",
      "mandatory",
      "mandatory",
    ]);
  });

  it("passes with policy/open-lab.json, which leaves the finding as advice", async () => {
    const findings = await runPack(policies, resources, openLab);
    expect(
      findings.filter((f) => f.level === "mandatory"),
      JSON.stringify(findings, null, 1),
    ).toEqual([]);
    expect(findings.filter((f) => f.policy === "pod-networkpolicy").map((f) => f.level)).toEqual([
      "advisory",
      "advisory",
      "advisory",
      "advisory",
    ]);
  });
});
