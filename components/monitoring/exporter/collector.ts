import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { EXPORTER_METRICS as M } from "../../../lib/metric-names";
import { BUILDCTL_COMMANDS, type BuildctlRunner } from "./buildctl";
import { cacheHitRatio, firstUncachedStep, isCacheBackendError, parseDiskUsage, parseGcMaxUsedBytes, parseHistories, summarizeDiskUsage, type BuildRecord } from "./parse";

export interface CollectorOptions {
  readonly run: BuildctlRunner;
  /** The GC cap to compare disk usage with; read from `buildctl debug workers` when unset. */
  readonly gcMaxUsedBytes?: number;
  /** How many build records to keep as labelled series (bounded cardinality). */
  readonly historyLimit: number;
  /** At most this many `buildctl debug logs` calls per scan, to find invalidated steps. */
  readonly maxLogFetchesPerScan: number;
  /** Certificates whose notAfter is exported, name → PEM path. */
  readonly certificates: Readonly<Record<string, string>>;
  /** Structured event sink (one JSON object per line on stdout in production). */
  readonly log: (event: Record<string, unknown>) => void;
  /** Adds Node process metrics (process_resident_memory_bytes...). */
  readonly processMetrics: boolean;
}

/** A cache invalidation: the first step of a build that missed the cache. */
export interface InvalidationEvent {
  readonly event: "cache_invalidation";
  readonly ref: string;
  readonly step: string;
  readonly cachedSteps: number;
  readonly totalSteps: number;
  readonly completedAt: string;
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
    help: "Per-build share of steps served from cache.",
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
  private readonly invalidations = new Counter({ name: M.cacheInvalidationsTotal, help: "Builds whose cache was invalidated at some step.", registers: [this.registry] });
  private readonly backendErrors = new Counter({ name: M.cacheBackendErrorsTotal, help: "Failed builds whose error came from the remote cache backend.", registers: [this.registry] });
  private readonly certNotAfter = new Gauge({ name: M.certificateNotAfterSeconds, help: "Unix time when a configured certificate expires.", labelNames: ["certificate"], registers: [this.registry] });

  constructor(private readonly options: CollectorOptions) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    for (const counter of [this.invalidations, this.backendErrors]) counter.inc(0);
    for (const status of ["success", "failure"]) this.observed.inc({ status }, 0);
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
    const fresh = builds.filter((b) => !this.seen.has(b.ref));
    let logFetches = 0;
    for (const build of fresh) {
      this.seen.add(build.ref);
      this.remember(build);
      // Builds already in history at start-up are kept as records, not counted as new events.
      if (this.firstScan) continue;
      this.observed.inc({ status: build.status });
      this.duration.observe({ status: build.status }, build.durationSeconds);
      const ratio = cacheHitRatio(build);
      if (ratio !== undefined) this.hitRatio.observe({ status: build.status }, ratio);
      if (build.errorMessage !== undefined && isCacheBackendError(build.errorMessage)) {
        this.backendErrors.inc();
        this.options.log({ event: "cache_backend_error", ref: build.ref, error: build.errorMessage });
      }
      // Some steps came from cache and others did not: the cache was invalidated at some step.
      if (build.cachedSteps > 0 && build.cachedSteps < build.totalSteps) {
        const fetchLogs = logFetches < this.options.maxLogFetchesPerScan;
        if (fetchLogs) logFetches += 1;
        await this.reportInvalidation(build, fetchLogs);
      }
    }
    this.firstScan = false;
    this.pruneSeen(builds);
  }

  /** Logs are fetched for at most `maxLogFetchesPerScan` builds per scan; the rest report step "unknown". */
  private async reportInvalidation(build: BuildRecord, fetchLogs: boolean): Promise<void> {
    let step: string | undefined;
    if (fetchLogs) {
      try {
        step = firstUncachedStep(await this.call("logs", BUILDCTL_COMMANDS.logs(build.ref)));
      } catch {
        step = undefined; // logs may already be gone; the counter still counts the build
      }
    }
    this.invalidations.inc();
    const event: InvalidationEvent = {
      event: "cache_invalidation",
      ref: build.ref,
      step: step ?? "unknown",
      cachedSteps: build.cachedSteps,
      totalSteps: build.totalSteps,
      completedAt: new Date(build.completedAt * 1000).toISOString(),
    };
    this.options.log({ ...event });
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
