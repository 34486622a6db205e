import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/real/**", "node_modules/**"],
    // Pulumi's runtime keeps global state (mocks, config): one file per process keeps tests apart.
    pool: "forks",
    testTimeout: 20_000,
  },
});
