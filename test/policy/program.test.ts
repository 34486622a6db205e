import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXEMPTIONS, policies, resourceKey } from "../../policy/policies";
import { installMocks, promiseOf, registered, urnOf } from "../components/mocks";
import { Finding, PackConfig, runPack, StackResource } from "./harness";

let resources: StackResource[];
let wrap: (props: object) => object;

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
  const proxy = (await import("@pulumi/policy/proxy")) as unknown as {
    unknownCheckingProxy: (props: object) => object;
  };
  wrap = proxy.unknownCheckingProxy;
  resources = registered.map((r) => ({
    type: r.type,
    name: r.name,
    inputs: r.inputs,
    urn: urnOf(r.type, r.name),
  }));
});

function findingsUnder(config: PackConfig): Promise<Finding[]> {
  return runPack(policies, resources, config, wrap);
}

/** The one finding the program's pods get: busybox's exemption, shown. */
const EXEMPTION_SHOWN: Finding = {
  policy: "pod-security-exemptions",
  resource: "kubernetes:core/v1:Pod::busybox-pod",
  level: "advisory",
  message: `Pod busybox-client, container busybox may add NET_RAW (pss-capabilities) and run as root (pss-run-as-non-root, pss-run-as-user): exempt as pod-to-pod:index:PodToPodLab$pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod in policy/policies/podSecurity/exemptions.ts, because ${EXEMPTIONS[0].reason}.`,
};

describe("the program under the pack", () => {
  it("registers the Pods, the Service and the NetworkPolicies the policies look at", () => {
    const types = resources.map((r) => r.type);
    // nginx, the client and the stranger the NetworkPolicies must refuse.
    expect(types.filter((t) => t === "kubernetes:core/v1:Pod")).toHaveLength(3);
    expect(types.filter((t) => t === "kubernetes:networking.k8s.io/v1:NetworkPolicy")).toHaveLength(
      2,
    );
    expect(types).toContain("kubernetes:core/v1:Service");
  });

  it("gives its busybox pod the URN the exemption names, with the container it names", () => {
    const [exemption] = EXEMPTIONS;
    const exempted = resources.filter((r) => resourceKey(r.urn!) === exemption.resource);
    expect(exempted.map((r) => r.name)).toEqual(["busybox-pod"]);
    const spec = (exempted[0].inputs as { spec: { containers: { name: string }[] } }).spec;
    expect(spec.containers.map((c) => c.name)).toEqual([exemption.container]);
  });

  it("passes restricted, the default profile, with only the exemption shown", async () => {
    expect(await findingsUnder({})).toEqual([EXEMPTION_SHOWN]);
  });

  it("passes baseline with the same one finding", async () => {
    const baseline = JSON.parse(
      fs.readFileSync(path.join(__dirname, "..", "..", "policy", "baseline.json"), "utf8"),
    ) as PackConfig;
    expect(await findingsUnder(baseline)).toEqual([EXEMPTION_SHOWN]);
  });
});
