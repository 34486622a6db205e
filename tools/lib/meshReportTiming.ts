/**
 * One timing of `meshReport` (checks/scenarios/mesh/checks.ts) in the checkout at argv[2], on a
 * synthetic mesh of argv[3] nodes, every pair up to argv[4], every probed path passing: prints
 * `{"ms": …, "bytes": …}` (the report's JSON size, as the stack output holds it). Run by tools/benchMeshReport.ts once per side and round, so each side loads its
 * own code.
 */
import * as path from "node:path";

type Checks = typeof import("../../checks/scenarios/mesh/checks");
type Coverage = typeof import("../../checks/scenarios/mesh/coverage");

async function main(): Promise<void> {
  const [root, nodesArg, allPairsArg] = process.argv.slice(2);
  const { meshReport } = (await import(path.join(root, "checks/scenarios/mesh/checks"))) as Checks;
  const { meshCoverage, coveredFrom } = (await import(
    path.join(root, "checks/scenarios/mesh/coverage")
  )) as Coverage;

  const n = Number(nodesArg);
  const nodes = Array.from({ length: n }, (_, i) => `node-${i}`);
  const pods = (kind: string) =>
    new Map(
      nodes.map((node, i) => [
        node,
        {
          name: `${kind}-${i}`,
          node,
          ip: `10.${i >> 8}.${i & 255}.1`,
          uid: `${kind}-${i}`,
          ready: true,
        },
      ]),
    );
  const layout = {
    nodes,
    echo: pods("echo"),
    clients: pods("client"),
    nodeProbes: pods("probe"),
    missing: [] as string[],
  };
  const coverage = meshCoverage(n, Number(allPairsArg), 0);
  const path_ = (from: string, to: string) => ({
    from,
    to,
    outcome: "pass" as const,
    ms: 10,
    detail: "ok",
  });
  const podPaths = nodes.flatMap((from, i) =>
    coveredFrom(coverage, i, n).map((j: number) => path_(from, nodes[j])),
  );
  const zero = { witnessed: 0, clientsWordAlone: 0, notServed: 0 };
  const evaluation = {
    podPaths,
    nodePaths: podPaths.filter((p) => p.from !== p.to),
    clients: [],
    links: new Map(),
    coverage,
    witness: { pod: zero, node: zero, service: zero, unreadable: [] as string[] },
  };
  const started = process.hrtime.bigint();
  const report = meshReport(layout, evaluation);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(JSON.stringify({ ms, bytes: JSON.stringify(report).length }));
}

void main();
