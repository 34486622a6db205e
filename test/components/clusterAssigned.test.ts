import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { assignedByCluster } from "../../components/clusterAssigned";

/** Whether an output is known, and its value with unknowns shown. */
async function settled<T>(output: pulumi.Output<T>): Promise<{ known: boolean; value: unknown }> {
  const internal = output as unknown as {
    isKnown: Promise<boolean>;
    promise: (withUnknowns?: boolean) => Promise<T>;
  };
  return { known: await internal.isKnown, value: await internal.promise(true) };
}

const mocks: pulumi.runtime.Mocks = {
  newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
  call: (args) => {
    throw new Error(`unexpected call ${args.token}`);
  },
};

describe("a field the cluster assigns, in a preview", () => {
  beforeAll(async () => {
    await pulumi.runtime.setMocks(mocks, "project", "stack", true);
  });

  it("is unknown while the provider previews the object without it (no undefined stack output)", async () => {
    const missing = assignedByCluster(pulumi.output(undefined as string | undefined));
    expect(await settled(missing)).toEqual({ known: false, value: pulumi.unknown });
  });

  it("is the value once the object exists (a preview of a deployed stack)", async () => {
    const uid = assignedByCluster(pulumi.output("6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"));
    expect(await settled(uid)).toEqual({
      known: true,
      value: "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b",
    });
  });
});

describe("a field the cluster assigns, in an update", () => {
  beforeAll(async () => {
    await pulumi.runtime.setMocks(mocks, "project", "stack", false);
  });

  it("passes even a missing value through: nothing is made up after the object was created", async () => {
    const missing = assignedByCluster(pulumi.output(undefined as string | undefined));
    expect(await settled(missing)).toEqual({ known: true, value: undefined });
  });
});
