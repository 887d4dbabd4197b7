import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { EXPORTER_METRICS as M } from "../../../lib/metric-names";
import { BUILDCTL_COMMANDS, type BuildctlRunner } from "./buildctl";
import { analyzeBuild, invalidationEvent, userHitRatio } from "./build-analysis";
import { parseDiskUsage, parseGcMaxUsedBytes, parseHistories, summarizeDiskUsage, type BuildRecord } from "./parse";

/** Cache backends whose error series exist from start-up (others appear at their first error; the rules handle that). */
const KNOWN_CACHE_BACKENDS = ["registry", "s3"] as const;

export interface CollectorOptions {
  readonly run: BuildctlRunner;
  /** The GC cap to compare disk usage with; read from `buildctl debug workers` when unset. */
  readonly gcMaxUsedBytes?: number;
  /** How many build records to keep as labelled series (bounded cardinality). */
  readonly historyLimit: number;
  /** At most this many `buildctl debug logs` calls per scan; later builds wait for the next scan. */
  readonly maxLogFetchesPerScan: number;
  /** Certificates whose notAfter is exported, name → PEM path. */
  readonly certificates: Readonly<Record<string, string>>;
  /** Structured event sink (one JSON object per line on stdout in production). */
  readonly log: (event: Record<string, unknown>) => void;
  /** Adds Node process metrics (process_resident_memory_bytes...). */
  readonly processMetrics: boolean;
}

/** Polls buildctl and keeps the exporter's metrics; one instance per buildkitd. */
export class InsightsCollector {
  readonly registry = new Registry();
  /** Newest last; at most `historyLimit` entries. */
  readonly history: BuildRecord[] = [];
  private readonly seen = new Set<string>();
  private firstScan = true;

  private readonly up = new Gauge({ name: M.up, help: "1 when the last buildctl scan succeeded.", registers: [this.registry] });
  private readonly scrapeErrors = new Counter({ name: M.scrapeErrorsTotal, help: "Failed buildctl calls.", labelNames: ["command"], registers: [this.registry] });
  private readonly lastScrape = new Gauge({ name: M.lastScrapeTimestampSeconds, help: "Unix time of the last successful scan.", registers: [this.registry] });
  private readonly diskUsage = new Gauge({ name: M.cacheDiskUsageBytes, help: "Build cache bytes by record type (buildctl du).", labelNames: ["record_type"], registers: [this.registry] });
  private readonly records = new Gauge({ name: M.cacheRecords, help: "Build cache records by record type.", labelNames: ["record_type"], registers: [this.registry] });
  private readonly reclaimable = new Gauge({ name: M.cacheReclaimableBytes, help: "Build cache bytes not in use (GC can reclaim them).", registers: [this.registry] });
  private readonly gcMax = new Gauge({ name: M.cacheGcMaxUsedBytes, help: "Configured GC maxUsedSpace in bytes.", registers: [this.registry] });
  private readonly utilization = new Gauge({ name: M.cacheUtilizationRatio, help: "Build cache bytes divided by GC maxUsedSpace.", registers: [this.registry] });
  private readonly hitRatio = new Histogram({
    name: M.buildCacheHitRatio,
    help: "Per-build share of cacheable user steps served from cache (internal, export and cache vertices excluded).",
    labelNames: ["status"],
    buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: M.buildDurationSeconds,
    help: "Build duration from history records (classic buckets, usable without native histograms).",
    labelNames: ["status"],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    registers: [this.registry],
  });
  private readonly observed = new Counter({ name: M.buildsObservedTotal, help: "Completed builds seen in history.", labelNames: ["status"], registers: [this.registry] });
  private readonly historyDuration = new Gauge({ name: M.historyBuildDurationSeconds, help: "Duration of the last N builds.", labelNames: ["ref", "status"], registers: [this.registry] });
  private readonly historySteps = new Gauge({ name: M.historyBuildSteps, help: "Steps of the last N builds by kind.", labelNames: ["ref", "kind"], registers: [this.registry] });
  private readonly userSteps = new Counter({ name: M.userStepsTotal, help: "Cacheable user steps of completed builds, by result (cached or missed).", labelNames: ["result"], registers: [this.registry] });
  private readonly invalidations = new Counter({ name: M.cacheInvalidationsTotal, help: "Builds with at least one missed cacheable user step, by kind (partial or full).", labelNames: ["kind"], registers: [this.registry] });
  private readonly cacheErrors = new Counter({ name: M.cacheErrorsTotal, help: "Failed cache import/export vertices in build logs, by operation and backend.", labelNames: ["operation", "backend"], registers: [this.registry] });
  private readonly logsUnavailable = new Counter({ name: M.buildLogsUnavailableTotal, help: "Completed builds whose log could not be read (steps and cache errors not counted).", registers: [this.registry] });
  private readonly certNotAfter = new Gauge({ name: M.certificateNotAfterSeconds, help: "Unix time when a configured certificate expires.", labelNames: ["certificate"], registers: [this.registry] });

  constructor(private readonly options: CollectorOptions) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    // Every series exists at 0 from start-up, so the first event is an increase rules and panels can see.
    for (const status of ["success", "failure"]) this.observed.inc({ status }, 0);
    for (const result of ["cached", "missed"]) this.userSteps.inc({ result }, 0);
    for (const kind of ["partial", "full"]) this.invalidations.inc({ kind }, 0);
    for (const operation of ["import", "export"]) for (const backend of KNOWN_CACHE_BACKENDS) this.cacheErrors.inc({ operation, backend }, 0);
    this.logsUnavailable.inc(0);
    if (options.gcMaxUsedBytes !== undefined) this.gcMax.set(options.gcMaxUsedBytes);
  }

  /** One poll: disk usage, GC limit, history, invalidations, certificates. Never throws. */
  async scan(): Promise<void> {
    const results = await Promise.allSettled([this.scanDiskUsage(), this.scanHistory(), this.scanCertificates()]);
    const ok = results.every((r) => r.status === "fulfilled");
    this.up.set(ok ? 1 : 0);
    if (ok) this.lastScrape.set(Math.floor(Date.now() / 1000));
    for (const r of results) if (r.status === "rejected") this.options.log({ event: "scan_error", error: String((r.reason as Error).message ?? r.reason) });
  }

  private async call(name: string, args: readonly string[]): Promise<string> {
    try {
      return await this.options.run(args);
    } catch (error) {
      this.scrapeErrors.inc({ command: name });
      throw error;
    }
  }

  private async scanDiskUsage(): Promise<void> {
    const summary = summarizeDiskUsage(parseDiskUsage(await this.call("du", BUILDCTL_COMMANDS.diskUsage)));
    this.diskUsage.reset();
    this.records.reset();
    for (const [type, { bytes, records }] of summary.byType) {
      this.diskUsage.set({ record_type: type }, bytes);
      this.records.set({ record_type: type }, records);
    }
    this.reclaimable.set(summary.reclaimableBytes);
    let limit = this.options.gcMaxUsedBytes;
    if (limit === undefined) {
      limit = parseGcMaxUsedBytes(await this.call("workers", BUILDCTL_COMMANDS.workers));
      if (limit !== undefined) this.gcMax.set(limit);
    }
    if (limit !== undefined && limit > 0) this.utilization.set(summary.totalBytes / limit);
  }

  private async scanHistory(): Promise<void> {
    const builds = parseHistories(await this.call("histories", BUILDCTL_COMMANDS.histories));
    let logFetches = 0;
    for (const build of builds.filter((b) => !this.seen.has(b.ref))) {
      // Builds already in history at start-up are kept as records, not counted as new events.
      if (this.firstScan) {
        this.seen.add(build.ref);
        this.remember(build);
        continue;
      }
      if (logFetches >= this.options.maxLogFetchesPerScan) break; // the rest wait for the next scan
      logFetches += 1;
      let log: string | undefined;
      try {
        log = await this.call("logs", BUILDCTL_COMMANDS.logs(build.ref));
      } catch {
        log = undefined; // logs may already be gone; the build still counts
      }
      this.observeBuild(build, log);
    }
    this.firstScan = false;
    this.pruneSeen(builds);
  }

  /**
   * Counts one completed build from its history record and its plain progress log (undefined when the log
   * could not be read). Idempotent per ref; the polling scan and an event-stream loop both feed it.
   */
  observeBuild(build: BuildRecord, log: string | undefined): void {
    if (this.seen.has(build.ref)) return;
    this.seen.add(build.ref);
    this.remember(build);
    this.observed.inc({ status: build.status });
    this.duration.observe({ status: build.status }, build.durationSeconds);
    if (log === undefined) {
      this.logsUnavailable.inc();
      this.options.log({ event: "build_log_unavailable", ref: build.ref });
      return;
    }
    const analysis = analyzeBuild(build, log);
    this.userSteps.inc({ result: "cached" }, analysis.userSteps.cached);
    this.userSteps.inc({ result: "missed" }, analysis.userSteps.missed);
    const ratio = userHitRatio(analysis);
    if (ratio !== undefined) this.hitRatio.observe({ status: build.status }, ratio);
    for (const error of analysis.cacheErrors) {
      this.cacheErrors.inc({ operation: error.operation, backend: error.backend });
      this.options.log({ event: "cache_error", ref: build.ref, operation: error.operation, backend: error.backend, vertex: error.vertex, error: error.message });
    }
    const invalidation = invalidationEvent(build, analysis);
    if (invalidation !== undefined) {
      this.invalidations.inc({ kind: invalidation.kind });
      this.options.log({ ...invalidation });
    }
  }

  private remember(build: BuildRecord): void {
    this.history.push(build);
    this.history.sort((a, b) => a.completedAt - b.completedAt);
    while (this.history.length > this.options.historyLimit) {
      const old = this.history.shift();
      if (old === undefined) break;
      this.historyDuration.remove({ ref: old.ref, status: old.status });
      for (const kind of ["total", "cached", "completed"]) this.historySteps.remove({ ref: old.ref, kind });
    }
    if (!this.history.includes(build)) return;
    this.historyDuration.set({ ref: build.ref, status: build.status }, build.durationSeconds);
    this.historySteps.set({ ref: build.ref, kind: "total" }, build.totalSteps);
    this.historySteps.set({ ref: build.ref, kind: "cached" }, build.cachedSteps);
    this.historySteps.set({ ref: build.ref, kind: "completed" }, build.completedSteps);
  }

  /** Forget refs buildkitd no longer lists, so `seen` stays bounded by buildkitd's own history limit. */
  private pruneSeen(current: readonly BuildRecord[]): void {
    const listed = new Set(current.map((b) => b.ref));
    for (const ref of this.seen) if (!listed.has(ref)) this.seen.delete(ref);
  }

  private async scanCertificates(): Promise<void> {
    for (const [name, path] of Object.entries(this.options.certificates).sort(([a], [b]) => a.localeCompare(b))) {
      const cert = new X509Certificate(await readFile(path));
      this.certNotAfter.set({ certificate: name }, Math.floor(new Date(cert.validTo).getTime() / 1000));
    }
  }
}
