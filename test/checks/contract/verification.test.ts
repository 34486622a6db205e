import { describe, expect, it } from "vitest";
import { parseVerification, toVerification } from "../../../checks/contract/verification";
import {
  evaluateChecks,
  judged,
  sectionsOf,
  seedEndpoints,
  seedNodes,
  seedPlan,
  seedScriptOutput,
} from "../../helpers";

const stamp = { checkedAt: "2026-12-01T19:00:00.000Z", runnerVersion: "0.1.0+abc" };
const healthy = judged(
  evaluateChecks(seedPlan, sectionsOf(seedScriptOutput({})), seedNodes, seedEndpoints),
  stamp,
);

describe("the verification's schema", () => {
  it("reads back what the runner writes, exactly", () => {
    expect(parseVerification(`kubectl warning\n${JSON.stringify(healthy)}\n`)).toEqual(healthy);
    expect(healthy.schemaVersion).toBe(2);
  });

  it("refuses a verdict of another version, naming it", () => {
    expect(() => toVerification({ ...healthy, schemaVersion: 1 })).toThrow(
      "The verification is not a verification of schema 2: schemaVersion: Invalid input: expected 2",
    );
  });

  it("refuses counts that do not count the checks: a forged pass", () => {
    expect(() =>
      toVerification({ ...healthy, passed: 10, failed: 0, checks: healthy.checks.slice(1) }),
    ).toThrow("(top): passed and failed must count the checks");
  });

  it("refuses an unknown check, a field it does not know and a check twice", () => {
    const [first] = healthy.checks;
    expect(() =>
      toVerification({
        ...healthy,
        checks: [{ ...first, name: "made-up" }, ...healthy.checks.slice(1)],
      }),
    ).toThrow(/checks\.0\.name/);
    expect(() => toVerification({ ...healthy, extra: true })).toThrow(/Unrecognized key: "extra"/);
    expect(() =>
      toVerification({ ...healthy, passed: 11, checks: [first, ...healthy.checks] }),
    ).toThrow("(top): each check appears once");
  });

  it("says what the runner printed when it printed no JSON", () => {
    expect(() => parseVerification("pod-to-pod checks could not run: boom")).toThrow(
      "The check runner printed no JSON verification; it printed: pod-to-pod checks could not run: boom",
    );
  });
});
