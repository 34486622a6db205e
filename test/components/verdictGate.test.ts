import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityAnnotations } from "../../components/labIdentity";
import { failureMessage, rerunTrigger, verdictOf } from "../../components/verdictGate";
import {
  inputsOf,
  installMocks,
  mockLiveObjects,
  mockRunnerVerification,
  promiseOf,
  registered,
} from "./mocks";

describe("the re-run after a failed verdict", () => {
  it("is keyed on the failed verdict's time, and empty after a pass or on a first up", () => {
    expect(rerunTrigger({ checkedAt: "2026-12-04T12:00:00.000Z", failed: 2 })).toBe(
      "after the failed verdict of 2026-12-04T12:00:00.000Z",
    );
    expect(rerunTrigger({ checkedAt: "2026-12-04T12:00:00.000Z", failed: 0 })).toBe("");
    expect(rerunTrigger(undefined)).toBe("");
  });

  it("reads the kept verdict's count and time, and nothing from a malformed one", () => {
    expect(verdictOf({ failed: "2", checkedAt: "T" })).toEqual({ failed: 2, checkedAt: "T" });
    expect(verdictOf({ failed: "two" })).toBeUndefined();
    expect(verdictOf(undefined)).toBeUndefined();
  });

  it("says how to report without failing", () => {
    expect(failureMessage("REPORT", 2, 9)).toBe(
      "REPORT\n\n2 of 9 checks failed. Set pod-to-pod:checks.reportOnly to true to report without failing.",
    );
  });
});

type Program = typeof import("../../index");

describe("the program after an up whose checks failed", () => {
  let program: Program;
  const exitCodeBefore = process.exitCode;

  beforeAll(async () => {
    await installMocks();
    // The lab kept a failed verdict last time; the mocked runner fails two checks again.
    mockLiveObjects.push({
      kind: "ConfigMap",
      metadata: {
        name: "pod-to-pod-verdict",
        annotations: identityAnnotations({
          project: "pod-to-pod",
          stack: "test",
          lab: "pod-to-pod",
        }),
      },
      data: { failed: "3", checkedAt: "2026-12-04T11:00:00.000Z" },
    });
    pulumi.runtime.setAllConfig({}, []);
    process.env.KUBECTL = process.execPath;
    program = await import("../../index");
    await promiseOf(program.report);
    // The gate's apply runs once the report is known.
    await new Promise((resolve) => setImmediate(resolve));
  });

  afterAll(() => {
    process.exitCode = exitCodeBefore;
    mockLiveObjects.splice(0);
  });

  it("keeps the new verdict in its namespace for the next up", () => {
    const kept = registered.filter(
      (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name === "connectivity-verdict",
    );
    expect(
      kept.map((r) => [r.inputs.metadata.name, r.inputs.metadata.namespace, r.inputs.data]),
    ).toEqual([
      [
        "pod-to-pod-verdict",
        "pod-to-pod",
        { failed: "2", checkedAt: mockRunnerVerification.checkedAt },
      ],
    ]);
  });

  it("runs the checks again, keyed on the failed verdict", () => {
    const command = inputsOf("command:local:Command");
    expect(command.triggers.at(-1)).toBe("after the failed verdict of 2026-12-04T11:00:00.000Z");
  });

  it("exports the new failed verdict and fails the program (exit code 1)", async () => {
    expect(await promiseOf(program.verification)).toMatchObject({
      checkedAt: mockRunnerVerification.checkedAt,
      failed: 2,
    });
    expect(process.exitCode).toBe(1);
  });
});
