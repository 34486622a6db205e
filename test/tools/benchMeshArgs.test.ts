import { describe, expect, it } from "vitest";
import { parseMeshBenchArgs } from "../../tools/lib/benchMeshArgs";

describe("npm run bench:mesh's arguments", () => {
  it("takes the rounds alone (they were dropped without --nodes)", () => {
    expect(parseMeshBenchArgs(["3"])).toEqual({ rounds: 3, reportOnly: false });
  });

  it("takes the rounds on either side of --nodes, and --report anywhere", () => {
    expect(parseMeshBenchArgs(["--nodes", "1,2,3", "4"])).toEqual({
      rounds: 4,
      sizes: [1, 2, 3],
      reportOnly: false,
    });
    expect(parseMeshBenchArgs(["2", "--report", "--nodes", "2"])).toEqual({
      rounds: 2,
      sizes: [2],
      reportOnly: true,
    });
  });

  it("takes --fake-nodes anywhere, beside the rounds: 100 and 1,000 nodes, or the sizes given", () => {
    expect(parseMeshBenchArgs(["--fake-nodes", "3"])).toEqual({
      rounds: 3,
      reportOnly: false,
      fakeNodes: [100, 1000],
    });
    expect(parseMeshBenchArgs(["2", "--fake-nodes=20,300"])).toEqual({
      rounds: 2,
      reportOnly: false,
      fakeNodes: [20, 300],
    });
    expect(() => parseMeshBenchArgs(["--fake-nodes=2"])).toThrow(
      '--fake-nodes= takes cluster sizes from 3 to 2000, such as 100,1000; got "--fake-nodes=2"',
    );
  });

  it("runs five rounds when none are given", () => {
    expect(parseMeshBenchArgs([]).rounds).toBe(5);
  });

  it("names a bad rounds or --nodes value and what is accepted", () => {
    expect(() => parseMeshBenchArgs(["three"])).toThrow(
      'rounds must be a positive whole number, got "three"',
    );
    expect(() => parseMeshBenchArgs(["--nodes", "1,12"])).toThrow(
      '--nodes takes cluster sizes from 1 to 9, such as 1,2,3; got "1,12"',
    );
  });
});
