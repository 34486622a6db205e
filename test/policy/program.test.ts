import { beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../policy/policies";
import { installMocks, promiseOf, registered } from "../components/mocks";
import { Finding, runPack } from "./harness";

let findings: Finding[];

beforeAll(async () => {
  await installMocks();
  // The program insists on kubectl before creating anything; any executable stands in for it here.
  process.env.KUBECTL = process.execPath;
  // Default config: no pulumi.runtime.setConfig, so the program runs as an empty stack config does.
  const program = await import("../../index");
  await promiseOf(program.report);
  // The analyzer hands policies their props through this proxy, which throws on unknown values
  // and wraps every array and object: running through it catches code that only works on plain
  // objects. Its typings are internal, hence the cast.
  const { unknownCheckingProxy } = (await import("@pulumi/policy/proxy")) as unknown as {
    unknownCheckingProxy: (props: object) => object;
  };
  const resources = registered.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
  findings = await runPack(policies, resources, {}, unknownCheckingProxy);
});

describe("the program under the pack's default config", () => {
  it("registers the Pods and the Service the policies look at", () => {
    const types = registered.map((r) => r.type);
    expect(types.filter((t) => t === "kubernetes:core/v1:Pod")).toHaveLength(2);
    expect(types).toContain("kubernetes:core/v1:Service");
  });

  it("has no mandatory violation", () => {
    expect(findings.filter((f) => f.level === "mandatory")).toEqual([]);
  });

  it("shows busybox's NET_RAW as the one advisory: a visible exemption", () => {
    expect(findings).toEqual([
      {
        policy: "container-capabilities",
        resource: "kubernetes:core/v1:Pod::busybox-pod",
        level: "advisory",
        message:
          "Pod busybox-client, container busybox adds capability NET_RAW: an exemption from drop ALL, allowed by container-capabilities' allowedCapabilities for app.kubernetes.io/name=busybox.",
      },
    ]);
  });
});
