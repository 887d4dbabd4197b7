/**
 * Every metric name the farm's rules, dashboards and exporter rely on, in one place.
 * Tests check each list against its source: buildkitd's recorded exposition (v0.32.2 fixture),
 * the exporter's prom-client registry, and a live prometheus-node-exporter scrape.
 */

/** Served by buildkitd on `debugAddress` at /metrics (verified on v0.32.2). */
export const BUILDKITD_METRICS = {
  buildsTotal: "buildkit_builds_total",
  buildStepsTotal: "buildkit_builds_steps_total",
  /** A native (exponential) histogram: quantiles need native-histogram scraping. */
  buildDurationSeconds: "buildkit_build_duration_seconds",
  rpcServerCallDurationSeconds: "rpc_server_call_duration_seconds",
  processCpuSecondsTotal: "process_cpu_seconds_total",
  processResidentMemoryBytes: "process_resident_memory_bytes",
  processOpenFds: "process_open_fds",
  processMaxFds: "process_max_fds",
  processStartTimeSeconds: "process_start_time_seconds",
  goGoroutines: "go_goroutines",
  targetInfo: "target_info",
} as const;

/** Served by the build-insights exporter (components/monitoring/exporter). */
export const EXPORTER_METRICS = {
  up: "buildkit_insights_up",
  scrapeErrorsTotal: "buildkit_insights_scrape_errors_total",
  lastScrapeTimestampSeconds: "buildkit_insights_last_scrape_timestamp_seconds",
  cacheDiskUsageBytes: "buildkit_insights_cache_disk_usage_bytes",
  cacheRecords: "buildkit_insights_cache_records",
  cacheReclaimableBytes: "buildkit_insights_cache_reclaimable_bytes",
  cacheGcMaxUsedBytes: "buildkit_insights_cache_gc_max_used_bytes",
  cacheUtilizationRatio: "buildkit_insights_cache_utilization_ratio",
  buildCacheHitRatio: "buildkit_insights_build_cache_hit_ratio",
  buildDurationSeconds: "buildkit_insights_build_duration_seconds",
  buildsObservedTotal: "buildkit_insights_builds_observed_total",
  historyBuildDurationSeconds: "buildkit_insights_history_build_duration_seconds",
  historyBuildSteps: "buildkit_insights_history_build_steps",
  /** Labels: result ("cached" | "missed"). Cacheable user steps of completed builds (see exporter/build-analysis.ts). */
  userStepsTotal: "buildkit_insights_user_steps_total",
  /** Labels: kind ("partial" | "full"). Builds with at least one missed cacheable user step. */
  cacheInvalidationsTotal: "buildkit_insights_cache_invalidations_total",
  /** Labels: operation ("import" | "export"), backend. Failed cache vertices in build logs (ignore-error hides them elsewhere). */
  cacheErrorsTotal: "buildkit_insights_cache_errors_total",
  /** Builds whose log could not be read, so their steps and cache errors are not counted. */
  buildLogsUnavailableTotal: "buildkit_insights_build_logs_unavailable_total",
  certificateNotAfterSeconds: "buildkit_insights_certificate_not_after_seconds",
} as const;

/** Recording rules (components/monitoring/recording-rules.ts): the one user-step hit ratio, by environment and builder. */
export const RECORDED_METRICS = {
  cacheUserHitRatio1h: "buildfarm:cache_user_hit_ratio:rate1h",
} as const;

/** Written by PluginSet's helper into node_exporter's textfile collector directory. */
export const PLUGIN_METRICS = {
  /** Labels: kind, name, path, version, status ("valid" | "invalid" | "shadowed"). */
  pluginInfo: "docker_cli_plugin_info",
  pluginsInvalid: "docker_cli_plugins_invalid",
} as const;

/** Served by prometheus-node-exporter (1.5, default collectors). */
export const NODE_METRICS = {
  cpuSecondsTotal: "node_cpu_seconds_total",
  memAvailableBytes: "node_memory_MemAvailable_bytes",
  memTotalBytes: "node_memory_MemTotal_bytes",
  pressureCpuWaitingSecondsTotal: "node_pressure_cpu_waiting_seconds_total",
  pressureMemoryWaitingSecondsTotal: "node_pressure_memory_waiting_seconds_total",
  pressureIoWaitingSecondsTotal: "node_pressure_io_waiting_seconds_total",
  diskReadBytesTotal: "node_disk_read_bytes_total",
  diskWrittenBytesTotal: "node_disk_written_bytes_total",
  networkReceiveBytesTotal: "node_network_receive_bytes_total",
  networkTransmitBytesTotal: "node_network_transmit_bytes_total",
  filesystemAvailBytes: "node_filesystem_avail_bytes",
  filesystemSizeBytes: "node_filesystem_size_bytes",
  textfileScrapeError: "node_textfile_scrape_error",
  /** Per textfile (label `file`); only present when the textfile directory holds a `.prom` file. */
  textfileMtimeSeconds: "node_textfile_mtime_seconds",
} as const;

/** Synthesised by Prometheus itself for every scrape target, and the alert series. */
export const PROMETHEUS_METRICS = {
  up: "up",
  alerts: "ALERTS",
} as const;

/** Names that are valid without a suffix check. Histograms also expose `_bucket`, `_sum` and `_count`. */
export const KNOWN_METRIC_NAMES: ReadonlySet<string> = new Set([
  ...Object.values(BUILDKITD_METRICS),
  ...Object.values(EXPORTER_METRICS),
  ...Object.values(RECORDED_METRICS),
  ...Object.values(PLUGIN_METRICS),
  ...Object.values(NODE_METRICS),
  ...Object.values(PROMETHEUS_METRICS),
]);

const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"] as const;

/**
 * Classic histograms, whose `_bucket`/`_sum`/`_count` series exist. buildkit_build_duration_seconds is
 * not one: scraped as a native histogram it has no such series, so queries must use it directly.
 */
export const CLASSIC_HISTOGRAMS: ReadonlySet<string> = new Set([
  EXPORTER_METRICS.buildCacheHitRatio,
  EXPORTER_METRICS.buildDurationSeconds,
  BUILDKITD_METRICS.rpcServerCallDurationSeconds,
]);

/** True when `name` is a known metric or a series of a known classic histogram. */
export function isKnownMetricName(name: string): boolean {
  if (KNOWN_METRIC_NAMES.has(name)) return true;
  return HISTOGRAM_SUFFIXES.some((suffix) => name.endsWith(suffix) && CLASSIC_HISTOGRAMS.has(name.slice(0, -suffix.length)));
}

const PROMQL_WORDS = new Set([
  "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
  "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
  "inf", "nan",
]);

/**
 * Metric names a PromQL expression selects. A light tokenizer, enough for our own expressions:
 * drops strings, label matchers, ranges and grouping clauses, then keeps identifiers that are not
 * functions or keywords.
 */
export function metricNamesInPromql(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, word, call] = match;
    if (word === undefined || call !== undefined || PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names].sort();
}
