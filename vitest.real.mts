import { defineConfig } from "vitest/config";

// Tests that run the real Pulumi CLI (and, for e2e, the real cluster). One at a time: they share
// the CLI's backend and the cluster.
export default defineConfig({
  test: {
    include: ["test/real/**/*.test.ts"],
    fileParallelism: false,
    pool: "forks",
    testTimeout: 20 * 60_000,
    hookTimeout: 20 * 60_000,
    reporters: ["default", "json"],
    outputFile: { json: `reports/real-${process.env.VITEST_REPORT_NAME ?? "run"}.json` },
  },
});
