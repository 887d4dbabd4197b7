import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Slow suites (real servers, fault injection) run with `npm run test:slow` (vitest.slow.config.ts).
    exclude: ["test/**/*.slow.test.ts", "**/node_modules/**"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // vitest defaults to cores - 1 (one worker here); most suites wait on child processes (shellcheck, promtool, scripts).
    maxWorkers: 2,
    // Each worker process keeps its module cache across files: the Pulumi SDK and providers load once per
    // worker, not once per file. Suites that use the mocks reset them first (lib/plan/run-stack.ts).
    isolate: false,
  },
});
