/**
 * `npm run bench:mesh -- [rounds=5] [--nodes 1,2,3] [--fake-nodes] [--report]`: the arguments,
 * checked, with an error that names the one that is wrong.
 */
export function parseMeshBenchArgs(argv: readonly string[]): {
  rounds: number;
  sizes?: number[];
  reportOnly: boolean;
  fakeNodes: boolean;
} {
  const reportOnly = argv.includes("--report");
  const fakeNodes = argv.includes("--fake-nodes");
  argv = argv.filter((a) => a !== "--report" && a !== "--fake-nodes");
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
  return { rounds, reportOnly, fakeNodes, ...(sizes ? { sizes } : {}) };
}
