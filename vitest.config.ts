import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    env: { RNN_QUICK: "1" },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
