/**
 * `npm run bench:mesh -- [rounds=5] [--nodes 1,2,3] [--fake-nodes[=100,1000]] [--report]`: the
 * arguments, checked, with an error that names the one that is wrong.
 */
export function parseMeshBenchArgs(argv: readonly string[]): {
  rounds: number;
  sizes?: number[];
  reportOnly: boolean;
  /** The simulated sizes on fake nodes (kwok), where asked for. */
  fakeNodes?: number[];
} {
  const reportOnly = argv.includes("--report");
  const fake = argv.find((a) => a === "--fake-nodes" || a.startsWith("--fake-nodes="));
  const fakeNodes = fake?.includes("=")
    ? fake.slice("--fake-nodes=".length).split(",").map(Number)
    : fake
      ? [100, 1000]
      : undefined;
  if (fakeNodes && !fakeNodes.every((n) => Number.isInteger(n) && n >= 3 && n <= 2000)) {
    throw new Error(
      `--fake-nodes= takes cluster sizes from 3 to 2000, such as 100,1000; got "${fake}"`,
    );
  }
  argv = argv.filter((a) => a !== "--report" && a !== fake);
  const at = argv.indexOf("--nodes");
  const sizes = at >= 0 ? (argv[at + 1] ?? "").split(",").map(Number) : undefined;
  // Without --nodes, every argument left is the rounds'.
  const rest = at >= 0 ? argv.filter((_, i) => i !== at && i !== at + 1) : argv;
  const rounds = Number(rest[0] ?? 5);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new Error(`rounds must be a positive whole number, got "${rest[0]}"`);
  }
  if (sizes && !sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 9)) {
    throw new Error(
      `--nodes takes cluster sizes from 1 to 9, such as 1,2,3; got "${argv[at + 1]}"`,
    );
  }
  return { rounds, reportOnly, ...(sizes ? { sizes } : {}), ...(fakeNodes ? { fakeNodes } : {}) };
}
