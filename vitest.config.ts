import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // vitest defaults to cores - 1 (one worker here); most suites wait on child processes (shellcheck, promtool, scripts).
    maxWorkers: 2,
  },
});
