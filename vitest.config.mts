import { defineConfig } from "vitest/config";

// The hermetic unit tests: no engine, no cluster, no network, no Go.
const report = process.env.VITEST_JSON_REPORT;
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/real/**", "node_modules/**"],
    // Pulumi's runtime keeps global state (mocks, config): one file per process keeps tests apart.
    pool: "forks",
    testTimeout: 20_000,
    // scripts/test.sh asks for a JSON report, to print one closing "N passed, N failed" line.
    reporters: report ? ["default", "json"] : ["default"],
    ...(report ? { outputFile: { json: report } } : {}),
  },
});
