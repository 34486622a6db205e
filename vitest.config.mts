import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/real/**", "node_modules/**"],
    // Pulumi's runtime keeps global state (mocks, config): one file per process keeps tests apart.
    pool: "forks",
    testTimeout: 20_000,
    // The JSON report lets scripts/test.sh print one closing "N passed, N failed" line.
    reporters: ["default", "json"],
    outputFile: { json: "reports/unit.json" },
  },
});
