import { defineConfig } from "vitest/config";

// Tests that need something outside the repo: the Pulumi engine, the local cluster, Go (actionlint).
// One file at a time: they share the cluster and take minutes, not milliseconds.
const report = process.env.VITEST_JSON_REPORT;
export default defineConfig({
  test: {
    include: ["test/real/**/*.test.ts"],
    fileParallelism: false,
    pool: "forks",
    testTimeout: 20 * 60_000,
    hookTimeout: 20 * 60_000,
    reporters: report ? ["default", "json"] : ["default"],
    ...(report ? { outputFile: { json: report } } : {}),
  },
});
