import { defineConfig } from "vitest/config";

// The slow suites: real servers (HAProxy, Prometheus, S3), fault injection and browser runs.
// `npm run test:slow`; `npm test` stays fast and skips them.
export default defineConfig({
  test: {
    include: ["test/**/*.slow.test.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
