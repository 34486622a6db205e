import { describe, expect, it } from "vitest";
import { formatGoal, goal, median } from "../../tools/lib/benchStats";

describe("the bench's numbers", () => {
  it("takes the median of odd and even counts, and refuses none", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow("median of no values");
  });

  it("meets a goal only when the median of the pairs is at most its bound", () => {
    expect(goal("A / B", [0.5, 0.7, 0.6], 0.6, "ratio").met).toBe(true);
    expect(goal("A / B", [0.61, 0.7, 0.5], 0.6, "ratio").met).toBe(false);
  });

  it("shows the floor beside a goal that is not met, and only then", () => {
    const floor = { what: "an empty preview", seconds: 0.9, note: "over then: 0.7" };
    const missed = goal("preview", [0.8, 0.9], 0.65, "ratio", floor);
    expect(missed.floor).toEqual(floor);
    expect(formatGoal(missed)).toContain("NOT MET preview: 0.85 (goal ≤ 0.65; pairs 0.80–0.90)");
    expect(formatGoal(missed)).toContain("floor: an empty preview 0.90 s: over then: 0.7");
    expect(goal("check", [0.4, 0.5], 0.6, "s", floor).floor).toBeUndefined();
    expect(formatGoal(goal("check", [0.4, 0.5], 0.6, "s"))).toBe(
      "MET     check: 0.45 s (goal ≤ 0.6 s; pairs 0.40–0.50)",
    );
    expect(formatGoal(goal("memory", [243, 251, 248], 256, "MiB"))).toBe(
      "MET     memory: 248 MiB (goal ≤ 256 MiB; pairs 243–251 MiB)",
    );
    expect(formatGoal(goal("requests", [3000], 20, "requests"))).toBe(
      "NOT MET requests: 3000 requests (goal ≤ 20 requests; pairs 3000–3000 requests)",
    );
  });
});
