import { describe, expect, it } from "vitest";
import { fitModel, predict, rounds } from "../../tools/lib/meshModel";

describe("the mesh's scaling model", () => {
  it("counts rounds of execs times rounds of jobs", () => {
    expect(rounds(1, 8, 8)).toBe(1);
    expect(rounds(5, 8, 8)).toBe(2 * 1);
    expect(rounds(100, 8, 8)).toBe(25 * 13);
    // Bounds that grow with the cluster keep it to one round.
    expect(rounds(100, 200, 103)).toBe(1);
    // Sampled above 32: each script probes 32 echo servers, not 100.
    expect(rounds(100, 8, 8, 32)).toBe(25 * 5);
    expect(rounds(20, 8, 8, 32)).toBe(5 * 3);
  });

  it("recovers the constants of points it made, and projects with them", () => {
    const truth = { fixed: 3, job: 0.5, exec: 0.4, perNode: 0.25 };
    const points = [1, 2, 3].map((nodes) => ({ nodes, seconds: predict(truth, nodes, 2, 8) }));
    const fitted = fitModel(points, { job: 0.5, exec: 0.4 }, 2, 8);
    expect(fitted.fixed).toBeCloseTo(3);
    expect(fitted.perNode).toBeCloseTo(0.25);
    expect(predict(fitted, 100, 8, 8)).toBeCloseTo(3 + 0.4 * 24 + 0.5 * 325 + 0.25 * 99);
  });

  it("refuses to fit nothing, and never fits a node as making the step faster", () => {
    expect(() => fitModel([], { job: 1, exec: 1 }, 8, 8)).toThrow(/at least one measurement/);
    const shrinking = fitModel(
      [
        { nodes: 1, seconds: 5 },
        { nodes: 2, seconds: 4 },
      ],
      { job: 0.5, exec: 0.4 },
      8,
      8,
    );
    expect(shrinking.perNode).toBe(0);
  });
});
