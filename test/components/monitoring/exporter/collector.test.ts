import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InsightsCollector } from "../../../../components/monitoring/exporter/collector";

const FIXTURES = join(__dirname, "../../../fixtures/buildkit-v0.32.2");
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");
const HISTORIES = fixture("buildctl-debug-histories.jsonl").trim().split("\n");
/** The real builds (real-builds/README.md), by ref: history record and plain progress log. */
const REAL_HISTORIES = fixture("real-builds/histories.jsonl").trim().split("\n");
const REAL_LOGS: Record<string, string> = {
  r7lihoewq2kgx132ld3o52inl: "build-uncached.err",
  ifuk6q97yxoe1gwz53rzubf1q: "build-cached.err",
  xv0x90ktegeal51w5v18nr60k: "build-partial.err",
  vr06qe3o7x0kauog6k7565pe0: "build-failing.err",
  sgp7errtsi0dz8ttndcky3o2s: "build-cache-backend-error.err",
};

/** buildctl replaying the real builds: `histories` shows the first `shown` records; logs of `missing` refs are gone. */
function realRun(state: { shown: number; missing?: string }) {
  return async (args: readonly string[]): Promise<string> => {
    const command = args.slice(0, 2).join(" ");
    if (command === "du --format") return fixture("buildctl-du.jsonl");
    if (command === "debug workers") return fixture("buildctl-debug-workers.json");
    if (command === "debug histories") return REAL_HISTORIES.slice(0, state.shown).join("\n");
    const ref = args.at(-1) ?? "";
    if (command === "debug logs" && ref !== state.missing && REAL_LOGS[ref] !== undefined) return fixture(`real-builds/${REAL_LOGS[ref]}`);
    throw new Error(`buildctl ${command}: not found`);
  };
}

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

  it("counts user steps, invalidations by kind and cache errors of the real builds, zero-initialised", async () => {
    const state = { shown: 0 };
    const events: Array<Record<string, unknown>> = [];
    const collector = new InsightsCollector({ run: realRun(state), historyLimit: 10, maxLogFetchesPerScan: 10, certificates: {}, log: (e) => events.push(e), processMetrics: false });
    await collector.scan();
    for (const [name, labels] of [
      ["buildkit_insights_user_steps_total", { result: "missed" }],
      ["buildkit_insights_cache_invalidations_total", { kind: "full" }],
      ["buildkit_insights_cache_errors_total", { operation: "import", backend: "s3" }],
      ["buildkit_insights_builds_observed_total", { status: "failure" }],
    ] as const) expect(await value(collector, name, labels), name).toBe(0);
    state.shown = 5;
    await collector.scan();
    // uncached 0/18, cached 18/18, partial 12/18, failing 1/2, --no-cache export failure 0/18
    expect(await value(collector, "buildkit_insights_user_steps_total", { result: "cached" })).toBe(31);
    expect(await value(collector, "buildkit_insights_user_steps_total", { result: "missed" })).toBe(43);
    expect(await value(collector, "buildkit_insights_cache_invalidations_total", { kind: "partial" })).toBe(2);
    expect(await value(collector, "buildkit_insights_cache_invalidations_total", { kind: "full" })).toBe(2);
    expect(await value(collector, "buildkit_insights_cache_errors_total", { operation: "export", backend: "s3" })).toBe(1);
    const invalidated = events.filter((e) => e.event === "cache_invalidation").map((e) => e.ref);
    expect(invalidated).not.toContain("ifuk6q97yxoe1gwz53rzubf1q"); // the fully cached build
    expect(invalidated).toHaveLength(4);
  });

  it("fetches at most maxLogFetchesPerScan logs and counts the rest on later scans, each build once", async () => {
    const state = { shown: 0 };
    const collector = new InsightsCollector({ run: realRun(state), historyLimit: 10, maxLogFetchesPerScan: 2, certificates: {}, log: () => undefined, processMetrics: false });
    await collector.scan();
    state.shown = 5;
    await collector.scan();
    const observed = async () => ((await value(collector, "buildkit_insights_builds_observed_total", { status: "success" })) ?? 0) + ((await value(collector, "buildkit_insights_builds_observed_total", { status: "failure" })) ?? 0);
    expect(await observed()).toBe(2);
    await collector.scan();
    await collector.scan();
    await collector.scan();
    expect(await observed()).toBe(5);
    expect(await value(collector, "buildkit_insights_user_steps_total", { result: "cached" })).toBe(31);
  });

  it("counts a build whose log is gone as observed and as unavailable, not as steps", async () => {
    const state = { shown: 0, missing: "ifuk6q97yxoe1gwz53rzubf1q" };
    const events: Array<Record<string, unknown>> = [];
    const collector = new InsightsCollector({ run: realRun(state), historyLimit: 10, maxLogFetchesPerScan: 10, certificates: {}, log: (e) => events.push(e), processMetrics: false });
    await collector.scan();
    state.shown = 1;
    await collector.scan();
    expect(await value(collector, "buildkit_insights_builds_observed_total", { status: "success" })).toBe(1);
    expect(await value(collector, "buildkit_insights_build_logs_unavailable_total")).toBe(1);
    expect(await value(collector, "buildkit_insights_user_steps_total", { result: "cached" })).toBe(0);
    expect(events).toContainEqual({ event: "build_log_unavailable", ref: "ifuk6q97yxoe1gwz53rzubf1q" });
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
