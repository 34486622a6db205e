import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { PodToPodLab } from "../../components";
import { claimLabNames } from "../../components/labClaim";
import { identityAnnotations } from "../../components/labIdentity";
import { nginxConfMapName } from "../../components/nginxConf";
import { clusterReads, installMocks, mockLiveObjects, promiseOf, registered } from "./mocks";

/** The lab against a mocked cluster that already holds objects under its names. */
beforeAll(async () => {
  await installMocks();
  pulumi.runtime.setAllConfig({}, []);
  process.env.KUBECTL = process.execPath;
});

afterEach(() => {
  mockLiveObjects.splice(0);
});

const other = { project: "pod-to-pod", stack: "pr-12", lab: "claimed" };

describe("a lab whose names are taken", () => {
  it("asks the cluster about every fixed name it would create, the namespace first", async () => {
    const lab = new PodToPodLab("asked", { namespace: "p2p-asked" });
    await promiseOf(lab.report);
    expect(clusterReads.at(-1)).toEqual({
      namespace: "p2p-asked",
      objects: [
        "namespace/p2p-asked",
        "pod/asked-nginx-server",
        `configmap/${nginxConfMapName("asked-nginx-server", 80)}`,
        "job/asked-nginx-image-check",
        "pod/asked-busybox-client",
        "job/asked-busybox-image-check",
        "service/asked-nginx-service",
        "pod/asked-stranger-client",
        "networkpolicy/asked-default-deny",
        "networkpolicy/asked-nginx-allow-client",
      ],
    });
  });

  it("marks every Kubernetes object it makes with the stack's identity and field manager", async () => {
    const lab = new PodToPodLab("marked", { namespace: "p2p-marked" });
    await promiseOf(lab.report);
    const objects = registered.filter(
      (r) => r.type.startsWith("kubernetes:") && r.name.startsWith("marked-"),
    );
    expect(objects.map((r) => r.type).sort()).toEqual([
      "kubernetes:batch/v1:Job",
      "kubernetes:batch/v1:Job",
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:core/v1:Namespace",
      "kubernetes:core/v1:Pod",
      "kubernetes:core/v1:Pod",
      "kubernetes:core/v1:Pod",
      "kubernetes:core/v1:Service",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    ]);
    for (const object of objects) {
      expect(object.inputs.metadata.annotations, object.name).toMatchObject({
        "pod-to-pod/project": "pod-to-pod",
        "pod-to-pod/stack": "test",
        "pod-to-pod/lab": "marked",
        "pulumi.com/patchFieldManager": "pod-to-pod/pod-to-pod/test/marked",
      });
    }
    // The Service keeps its own annotations beside them.
    const service = objects.find((r) => r.type === "kubernetes:core/v1:Service");
    expect(service?.inputs.metadata.annotations["pulumi.com/skipAwait"]).toBe("true");
  });

  it("refuses another stack's namespace before registering anything, naming the owner and the key", () => {
    mockLiveObjects.push({
      kind: "Namespace",
      metadata: { name: "p2p-taken", annotations: identityAnnotations(other) },
    });
    const before = registered.length;
    expect(() => new PodToPodLab("claimed", { namespace: "p2p-taken" })).toThrow(pulumi.RunError);
    expect(registered.length).toBe(before);
    expect(() => new PodToPodLab("claimed", { namespace: "p2p-taken" })).toThrow(
      /namespace p2p-taken belongs to lab "claimed" of stack "pr-12" \(project pod-to-pod\)[\s\S]*pulumi config set pod-to-pod:namespace pod-to-pod-test/,
    );
  });

  it("refuses another stack's nginx.conf under the name its own would take", () => {
    const name = nginxConfMapName("conf-nginx-server", 80);
    expect(name).toMatch(/^conf-nginx-server-conf-[0-9a-f]{10}$/);
    mockLiveObjects.push({
      kind: "ConfigMap",
      metadata: { name, annotations: identityAnnotations({ ...other, lab: "conf" }) },
    });
    expect(() => new PodToPodLab("conf", { namespace: "p2p-conf" })).toThrow(
      new RegExp(`configmap p2p-conf/${name} belongs to lab "conf" of stack "pr-12"`),
    );
  });

  it("goes on where the cluster cannot be read (a preview without one)", () => {
    expect(() =>
      claimLabNames({
        identity: { project: "p", stack: "s", lab: "l" },
        namespace: "anywhere",
        createNamespace: true,
        objects: [{ kind: "namespace", name: "anywhere" }],
        read: () => ({ ok: false, reason: "connection refused" }),
      }),
    ).not.toThrow();
  });

  it("adopts its own leftover: the same identity passes", async () => {
    mockLiveObjects.push({
      kind: "Pod",
      metadata: {
        name: "mine-nginx-server",
        annotations: identityAnnotations({ project: "pod-to-pod", stack: "test", lab: "mine" }),
      },
    });
    const lab = new PodToPodLab("mine", { namespace: "p2p-mine" });
    expect((await promiseOf(lab.verification)).checks.length).toBeGreaterThan(0);
  });
});
