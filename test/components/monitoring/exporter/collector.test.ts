import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InsightsCollector } from "../../../../components/monitoring/exporter/collector";

const FIXTURES = join(__dirname, "../../../fixtures/buildkit-v0.32.2");
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");
const HISTORIES = fixture("buildctl-debug-histories.jsonl").trim().split("\n");

/** A buildctl stand-in: `histories` returns the first `shown` records; `fail` makes a command throw. */
function fakeRun(state: { shown: number; fail?: string }) {
  return async (args: readonly string[]): Promise<string> => {
    const command = args.slice(0, 2).join(" ");
    if (state.fail !== undefined && command.startsWith(state.fail)) throw new Error(`buildctl ${command}: connection refused`);
    if (command === "du --format") return fixture("buildctl-du.jsonl");
    if (command === "debug workers") return fixture("buildctl-debug-workers.json");
    if (command === "debug logs") return fixture("buildctl-build-progress.txt");
    if (command === "debug histories") return HISTORIES.slice(0, state.shown).join("\n");
    throw new Error(`unexpected ${command}`);
  };
}

async function value(collector: InsightsCollector, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = (await collector.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe("InsightsCollector", () => {
  it("keeps only the last N builds as labelled series (bounded cardinality)", async () => {
    const collector = new InsightsCollector({ run: fakeRun({ shown: 6 }), historyLimit: 3, maxLogFetchesPerScan: 0, certificates: {}, log: () => undefined, processMetrics: false });
    await collector.scan();
    expect(collector.history).toHaveLength(3);
    const series = (await collector.registry.getMetricsAsJSON()).find((m) => m.name === "buildkit_insights_history_build_duration_seconds")?.values ?? [];
    expect(series.map((s) => s.labels.ref).sort()).toEqual(collector.history.map((b) => b.ref).sort());
  });

  it("reports buildctl failures as up 0 and an error count per command, and recovers", async () => {
    const state: { shown: number; fail?: string } = { shown: 2, fail: "du" };
    const events: Array<Record<string, unknown>> = [];
    const collector = new InsightsCollector({ run: fakeRun(state), historyLimit: 10, maxLogFetchesPerScan: 5, certificates: {}, log: (e) => events.push(e), processMetrics: false });
    await collector.scan();
    expect(await value(collector, "buildkit_insights_up")).toBe(0);
    expect(await value(collector, "buildkit_insights_scrape_errors_total", { command: "du" })).toBe(1);
    expect(events).toContainEqual({ event: "scan_error", error: "buildctl du --format: connection refused" });
    delete state.fail;
    await collector.scan();
    expect(await value(collector, "buildkit_insights_up")).toBe(1);
  });

  it("counts every invalidated build but fetches logs for at most maxLogFetchesPerScan", async () => {
    const state = { shown: 1 };
    const events: Array<Record<string, unknown>> = [];
    const collector = new InsightsCollector({ run: fakeRun(state), historyLimit: 10, maxLogFetchesPerScan: 1, certificates: {}, log: (e) => events.push(e), processMetrics: false });
    await collector.scan();
    state.shown = 6;
    await collector.scan();
    const invalidations = events.filter((e) => e.event === "cache_invalidation");
    // five new builds, all partly cached (5/12 or 1/5 steps)
    expect(await value(collector, "buildkit_insights_cache_invalidations_total")).toBe(5);
    expect(invalidations.map((e) => e.step)).toEqual(["[build 3/4] COPY src/b.txt /work/b.txt", "unknown", "unknown", "unknown", "unknown"]);
    expect(await value(collector, "buildkit_insights_builds_observed_total", { status: "success" })).toBe(4);
    expect(await value(collector, "buildkit_insights_builds_observed_total", { status: "failure" })).toBe(1);
  });

  it("uses the GC limit from its flag instead of asking buildkitd", async () => {
    const calls: string[] = [];
    const run = fakeRun({ shown: 0 });
    const collector = new InsightsCollector({ run: (args) => (calls.push(args.join(" ")), run(args)), gcMaxUsedBytes: 8_290_304, historyLimit: 10, maxLogFetchesPerScan: 0, certificates: {}, log: () => undefined, processMetrics: false });
    await collector.scan();
    expect(calls.some((c) => c.startsWith("debug workers"))).toBe(false);
    expect(await value(collector, "buildkit_insights_cache_utilization_ratio")).toBe(0.5);
  });
});
