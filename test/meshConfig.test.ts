import { describe, expect, it } from "vitest";
import { parseLabConfig } from "../config";

describe("pod-to-pod:coverage and pod-to-pod:mesh", () => {
  it("default to the walkthrough's pair, the mesh's bound 8 and node probes on", () => {
    expect(parseLabConfig({})).toMatchObject({
      coverage: "pair",
      mesh: { parallelism: 8, nodeToPod: true, allPairsUpTo: 32 },
    });
    expect(parseLabConfig({ coverage: "every-node", mesh: { nodeToPod: "false" } })).toMatchObject({
      coverage: "every-node",
      mesh: { parallelism: 8, nodeToPod: false, allPairsUpTo: 32 },
    });
    expect(parseLabConfig({ mesh: { allPairsUpTo: "1" } }).mesh.allPairsUpTo).toBe(1);
  });

  it("name the key, the value and what is accepted", () => {
    expect(() => parseLabConfig({ coverage: "all" })).toThrow(
      'pod-to-pod:coverage = "all" is not valid: expected one of pair, every-node',
    );
    expect(() => parseLabConfig({ mesh: { parallelism: "0" } })).toThrow(
      /pod-to-pod:mesh\.parallelism = 0 is not valid: expected an integer from 1 to 256/,
    );
    expect(() => parseLabConfig({ coverage: "every-node", nginx: { port: "9080" } })).toThrow(
      "pod-to-pod:nginx.port = 9080 is not valid: must not be 9080 with coverage every-node",
    );
    expect(parseLabConfig({ nginx: { port: "9080" } }).nginx.port).toBe(9080);
    expect(() => parseLabConfig({ mesh: { bound: 3 } })).toThrow(
      /pod-to-pod:mesh\.bound = 3 is not valid: unknown key; the keys of pod-to-pod:mesh are parallelism, reporterImage, nodeToPod, allPairsUpTo/,
    );
    expect(() => parseLabConfig({ mesh: { allPairsUpTo: "0" } })).toThrow(
      /pod-to-pod:mesh\.allPairsUpTo = 0 is not valid: expected an integer from 1 to 100000/,
    );
    expect(() => parseLabConfig({ mesh: { allPairsUpTo: "2.5" } })).toThrow(
      /pod-to-pod:mesh\.allPairsUpTo = "2\.5" is not valid: expected an integer from 1 to 100000/,
    );
  });
});
