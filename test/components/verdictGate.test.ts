import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureMessage, rerunTrigger } from "../../components/verdictGate";
import {
  inputsOf,
  installMocks,
  mockPreviousOutputs,
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
    // The stack exported a failed verdict last time; the mocked runner fails two checks again.
    mockPreviousOutputs.verification = { checkedAt: "2026-12-04T11:00:00.000Z", failed: 3 };
    pulumi.runtime.setAllConfig({}, []);
    process.env.KUBECTL = process.execPath;
    program = await import("../../index");
    await promiseOf(program.report);
    // The gate's apply runs once the report is known.
    await new Promise((resolve) => setImmediate(resolve));
  });

  afterAll(() => {
    process.exitCode = exitCodeBefore;
  });

  it("reads its own last verification from the stack itself", () => {
    const reference = registered.filter((r) => r.type === "pulumi:pulumi:StackReference");
    expect(reference.map((r) => [r.name, r.inputs.name])).toEqual([
      ["connectivity-previous", "organization/pod-to-pod/test"],
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
