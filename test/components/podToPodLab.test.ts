import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { runnerCommand } from "../../checks/runner";
import { LAB_CONFIG_KEYS } from "../../config";
import { PodToPodLab } from "../../components";
import { installMocks, mockRunnerVerification, promiseOf, registered } from "./mocks";

/** PodToPodLab as another program uses it: several labs, named after their components. */
beforeAll(async () => {
  await installMocks();
  pulumi.runtime.setAllConfig({}, []);
  // The lab insists on kubectl before creating anything; any executable stands in for it here.
  process.env.KUBECTL = process.execPath;
});

type Registered = pulumi.runtime.MockResourceArgs;

/** The Kubernetes objects one lab made, by kind, read off their names. */
function objectsOf(lab: string): Registered[] {
  return registered.filter((r) => r.type.startsWith("kubernetes:") && r.name.startsWith(`${lab}-`));
}

function named(objects: Registered[], kind: string, name: string): Registered {
  const found = objects.filter((r) => r.type === kind && r.inputs.metadata?.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0];
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe("two labs side by side in one namespace", () => {
  let first: PodToPodLab;
  let second: PodToPodLab;

  beforeAll(async () => {
    first = new PodToPodLab("first", { namespace: "shared" });
    second = new PodToPodLab("second", { namespace: "shared", createNamespace: false });
    await Promise.all([promiseOf(first.report), promiseOf(second.report)]);
  });

  it("names every object after its lab, so none collides", () => {
    for (const lab of ["first", "second"]) {
      const objects = objectsOf(lab);
      named(objects, "kubernetes:core/v1:Pod", `${lab}-nginx-server`);
      named(objects, "kubernetes:core/v1:Pod", `${lab}-busybox-client`);
      named(objects, "kubernetes:core/v1:Pod", `${lab}-stranger-client`);
      named(objects, "kubernetes:core/v1:Service", `${lab}-nginx-service`);
      named(objects, "kubernetes:networking.k8s.io/v1:NetworkPolicy", `${lab}-default-deny`);
      named(objects, "kubernetes:networking.k8s.io/v1:NetworkPolicy", `${lab}-nginx-allow-client`);
      for (const object of objects.filter((r) => r.type !== "kubernetes:core/v1:Namespace")) {
        expect(object.inputs.metadata.namespace, object.name).toBe("shared");
      }
    }
    // One namespace, created by the first lab; the second only uses it.
    const namespaces = registered.filter((r) => r.type === "kubernetes:core/v1:Namespace");
    expect(namespaces.map((r) => [r.name, r.inputs.metadata.name])).toEqual([
      ["first-namespace", "shared"],
    ]);
    // The Pulumi names of the children are unique within the stack too.
    const keys = registered.map((r) => `${r.type}::${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("keeps each lab's Service, policies and affinity on its own pods", () => {
    const pods = (lab: string) =>
      ["nginx-server", "busybox-client", "stranger-client"].map(
        (pod) => named(objectsOf(lab), "kubernetes:core/v1:Pod", `${lab}-${pod}`).inputs,
      );
    const [firstNginx, firstClient, firstStranger] = pods("first");
    const [secondNginx, secondClient] = pods("second");
    expect(firstNginx.metadata.labels["app.kubernetes.io/instance"]).toBe("first");
    const service = named(
      objectsOf("first"),
      "kubernetes:core/v1:Service",
      "first-nginx-service",
    ).inputs;
    expect(selects(service.spec.selector, firstNginx.metadata.labels)).toBe(true);
    expect(selects(service.spec.selector, secondNginx.metadata.labels)).toBe(false);
    const allow = named(
      objectsOf("first"),
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "first-nginx-allow-client",
    ).inputs;
    expect(selects(allow.spec.podSelector.matchLabels, firstNginx.metadata.labels)).toBe(true);
    expect(selects(allow.spec.podSelector.matchLabels, secondNginx.metadata.labels)).toBe(false);
    const [from] = allow.spec.ingress[0].from;
    expect(selects(from.podSelector.matchLabels, firstClient.metadata.labels)).toBe(true);
    expect(selects(from.podSelector.matchLabels, secondClient.metadata.labels)).toBe(false);
    expect(selects(from.podSelector.matchLabels, firstStranger.metadata.labels)).toBe(false);
    // The lab that owns the namespace denies every pod in it; the other, its own pods.
    const deny = (lab: string) =>
      named(objectsOf(lab), "kubernetes:networking.k8s.io/v1:NetworkPolicy", `${lab}-default-deny`)
        .inputs.spec.podSelector;
    expect(deny("first")).toEqual({});
    expect(deny("second")).toEqual({
      matchLabels: {
        "app.kubernetes.io/part-of": "pod-to-pod",
        "app.kubernetes.io/instance": "second",
      },
    });
  });

  it("checks each lab's own pods and Service, and exports its verdict and policies", async () => {
    const commands = registered.filter((r) => r.type === "command:local:Command");
    const env = (name: string) => commands.find((c) => c.name === name)?.inputs.environment;
    expect(env("first-connectivity-run")).toMatchObject({
      POD_TO_POD_SERVER_POD: "first-nginx-server",
      POD_TO_POD_CLIENT_POD: "first-busybox-client",
      POD_TO_POD_SERVICE: "first-nginx-service",
    });
    expect(env("second-connectivity-run")).toMatchObject({
      POD_TO_POD_SERVER_POD: "second-nginx-server",
      POD_TO_POD_SERVICE: "second-nginx-service",
    });
    expect(await promiseOf(second.networkPolicies)).toEqual([
      "second-default-deny",
      "second-nginx-allow-client",
    ]);
    expect(await promiseOf(second.verification)).toEqual(mockRunnerVerification);
    expect(await promiseOf(first.namespace)).toBe("shared");
  });
});

describe("the lab's arguments", () => {
  it("are the stack config's keys, plus the choice of names", () => {
    // Every config key is an argument of the same name (the schema test holds the package's
    // schema to the same list).
    expect([...LAB_CONFIG_KEYS].sort()).toEqual([
      "busybox",
      "checks",
      "clusterDomain",
      "coverage",
      "createNamespace",
      "mesh",
      "namespace",
      "networkPolicy",
      "nginx",
      "placement",
      "podReadyTimeoutSeconds",
      "servicePort",
    ]);
  });

  it("are checked by the config's schema, every bad one named with what is accepted, before anything is registered", () => {
    const before = registered.length;
    expect(
      () =>
        new PodToPodLab("bad", {
          placement: "everywhere",
          nginx: { port: 0, resources: { requests: { cpu: "2" } } },
        }),
    ).toThrow(
      new pulumi.RunError(
        `Invalid arguments of PodToPodLab "bad" (3 problems):\n` +
          `  - nginx.resources.requests.cpu = "2" is not valid: must not exceed limits.cpu (250m)\n` +
          `  - nginx.port = 0 is not valid: expected an integer from 1 to 65535\n` +
          `  - placement = "everywhere" is not valid: expected one of any, same-node, different-nodes`,
      ),
    );
    expect(registered.length).toBe(before);
  });

  it("name an unknown argument and the closest known one", () => {
    expect(() => new PodToPodLab("typo", { nginxx: {} } as unknown as { nginx: object })).toThrow(
      /nginxx = \{\} is not valid: unknown key; did you mean nginx\? \(the arguments of PodToPodLab "typo" are namespace, createNamespace, nginx, /,
    );
    expect(
      () => new PodToPodLab("typo", { checks: { pingcount: 2 } } as unknown as { checks: object }),
    ).toThrow(/checks\.pingcount = 2 is not valid: unknown key; did you mean checks\.pingCount\?/);
  });

  it("take an absent value (null, as an SDK may send) as left out", async () => {
    const lab = new PodToPodLab("nulls", {
      namespace: "nulls",
      nginx: { port: null, image: null },
    } as unknown as { namespace: string });
    await promiseOf(lab.report);
    const pod = named(objectsOf("nulls"), "kubernetes:core/v1:Pod", "nulls-nginx-server");
    expect(pod.inputs.spec.containers[0].image).toBe("nginx:1.28.0");
    expect(pod.inputs.spec.containers[0].ports[0].containerPort).toBe(80);
  });

  it("must be plain values: an Output is named", () => {
    expect(
      () =>
        new PodToPodLab("late", {
          namespace: pulumi.output("later") as unknown as string,
        }),
    ).toThrow(/Invalid arguments of PodToPodLab "late": namespace must be plain values/);
  });
});

describe("the lab's name", () => {
  it("must prefix valid object names: a lowercase letter first, short enough for the longest", () => {
    expect(() => new PodToPodLab("Edge_1", {})).toThrow(
      /Invalid name of PodToPodLab "Edge_1": Edge_1 is not valid: expected a lowercase letter, then lowercase letters, digits or '-'/,
    );
    expect(() => new PodToPodLab("1lab", {})).toThrow(/Invalid name of PodToPodLab "1lab"/);
    // The image check's Job, <name>-busybox-image-check, is the longest (its pods' job-name label).
    const longest = "a".repeat(43);
    expect(() => new PodToPodLab(longest, { namespace: "long" })).not.toThrow();
    expect(() => new PodToPodLab(`${longest}b`, {})).toThrow(
      /expected at most 43 characters: the longest name derived from it, a{43}b-busybox-image-check, must fit in 63/,
    );
  });

  it("is free with the walkthrough's names, which do not derive from it", async () => {
    const lab = new PodToPodLab("Any_Name", { namespace: "walkthrough", walkthroughNames: true });
    await promiseOf(lab.report);
    const pods = registered.filter(
      (r) => r.type === "kubernetes:core/v1:Pod" && r.inputs.metadata.namespace === "walkthrough",
    );
    expect(pods.map((p) => p.inputs.metadata.name).sort()).toEqual([
      "busybox-client",
      "nginx-server",
      "stranger-client",
    ]);
    // The program's labels: no instance label, as before the lab was a component.
    for (const pod of pods) {
      expect(pod.inputs.metadata.labels).not.toHaveProperty("app.kubernetes.io/instance");
    }
    // A second would take the same Pulumi names.
    expect(
      () => new PodToPodLab("again", { namespace: "elsewhere", walkthroughNames: true }),
    ).toThrow(
      /walkthroughNames = true is not valid: PodToPodLab "Any_Name" has the walkthrough's names already, and a stack holds one such lab/,
    );
  });
});

describe("the check runner of a lab another program adds", () => {
  const checks = path.resolve(__dirname, "../../checks");

  it("is found from the consumer's project root, relative to the package itself", () => {
    // The command provider runs commands in the consumer's project root: the repo's examples
    // reach the package two folders up.
    const consumer = path.resolve(__dirname, "../../examples/python");
    expect(runnerCommand(consumer, checks)).toBe("node ../../checks/start.js");
    // A package installed elsewhere (a git URL: the plugin cache) is reached from there too.
    expect(
      runnerCommand("/home/me/infra", "/home/me/.pulumi/plugins/resource-pod-to-pod-v0.1.0/checks"),
    ).toBe("node ../.pulumi/plugins/resource-pod-to-pod-v0.1.0/checks/start.js");
  });
});
