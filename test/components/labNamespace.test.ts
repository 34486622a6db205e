import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { LabNamespace } from "../../components";
import { installMocks, promiseOf } from "./mocks";

beforeAll(async () => {
  await installMocks();
  pulumi.runtime.setAllConfig({}, []);
});

describe("what the program puts in the lab's namespace", () => {
  it("goes with a namespace the program created: one delete, by the namespace controller", async () => {
    const lab = new LabNamespace("own", { name: "lab-own", create: true });
    const namespace = lab.contentOptions.deletedWith;
    expect(namespace).toBeInstanceOf(k8s.core.v1.Namespace);
    expect(await promiseOf((namespace as k8s.core.v1.Namespace).metadata.name)).toBe("lab-own");
  });

  it("is deleted object by object in a namespace the program only uses", () => {
    const lab = new LabNamespace("theirs", { name: "default", create: false });
    expect(lab.contentOptions).toEqual({});
  });
});
