import { EXPORTER_METRICS as M, RECORDED_METRICS as R } from "../../lib/metric-names";
import type { MonitoringThresholds } from "./args";
import { BY } from "./recording-rules";

/** Job names the scrape config uses and the rules select on. */
export const JOBS = { buildkitd: "buildkitd", exporter: "buildkit-insights", node: "node" } as const;

export type Severity = "warning" | "critical";

/** One alert, defined once and rendered to Prometheus rules (and Grafana-managed alerts). */
export interface AlertRule {
  readonly alert: string;
  readonly group: "buildfarm-availability" | "buildfarm-builds" | "buildfarm-cache" | "buildfarm-hosts";
  readonly expr: string;
  readonly for: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string;
  readonly runbook: string;
}


/** Stricter limits for role="prod" builders (ProductionBuilder's `monitoring` settings). */
export interface ProductionThresholds {
  readonly buildFailureRatioMax: number;
  readonly certificateExpiryDays: number;
  readonly cacheDiskRatioMax: number;
}

/** Without ProductionBuilder's own values, production uses the farm's prod failure ratio and the shared limits. */
export function defaultProductionThresholds(t: MonitoringThresholds): ProductionThresholds {
  return { buildFailureRatioMax: t.prodBuildFailureRatioMax, certificateExpiryDays: t.certificateExpiryDays, cacheDiskRatioMax: t.cacheDiskRatioMax };
}

/**
 * How much a counter grew over `range`, counting series born inside the range from 0. buildkitd creates a
 * `status="failure"` (or new error_code) series at its first failure, already at 1: `increase()` alone
 * never sees that first failure. Series that existed `range` ago use `increase()` (which handles resets).
 */
export function increaseSinceBirth(selector: string, range: string): string {
  return `(increase(${selector}[${range}]) and ${selector} offset ${range}) or (${selector} unless ${selector} offset ${range})`;
}

/** Failure share of builds over 1h for a role selector, only when at least `minBuilds` ran. */
function failureRatio(roleMatcher: string, ratio: number, minBuilds: number): string {
  const total = `sum by (${BY}) (${increaseSinceBirth(`buildkit_builds_total{${roleMatcher}}`, "1h")})`;
  const failures = `sum by (${BY}) (${increaseSinceBirth(`buildkit_builds_total{status="failure",${roleMatcher}}`, "1h")})`;
  return `(${failures} / ${total}) > ${ratio} and on (${BY}) ${total} >= ${minBuilds}`;
}

/** Host limits without a config key yet (documented in docs/monitoring.md). */
export const HOST_LIMITS = { filesystemFreeRatioMin: 0.1, textfileMaxAgeSeconds: 3600, rpcErrorRatioMax: 0.05, restartsPerHourMax: 1 } as const;

/** Filesystems that hold data (not pseudo or image-layer mounts). */
const REAL_FS = `job="${JOBS.node}",fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs"`;

/** Every alert the farm ships, with thresholds from settings. Sorted by group, then name, when rendered. */
export function alertRules(t: MonitoringThresholds, prod: ProductionThresholds = defaultProductionThresholds(t)): AlertRule[] {
  const p95 = (range: string): string =>
    `histogram_quantile(0.95, sum by (${BY}, le) (rate(buildkit_insights_build_duration_seconds_bucket{status="success"}[${range}])))`;
  return [
    {
      alert: "BuildkitBuilderDown",
      group: "buildfarm-availability",
      expr: `up{job="${JOBS.buildkitd}",role!="prod"} == 0`,
      for: "5m",
      severity: "warning",
      summary: "Builder {{ $labels.builder }} is down",
      description: "Prometheus cannot scrape buildkitd's /metrics on {{ $labels.builder }} ({{ $labels.instance }}) for 5 minutes.",
      runbook: "Check `systemctl status buildkit` on the host (or the container's logs), then `buildctl debug workers`. A builder with bad TLS certificates shows as inactive without a log: run the connectivity self-test.",
    },
    {
      alert: "BuildkitProductionBuilderDown",
      group: "buildfarm-availability",
      expr: `up{job="${JOBS.buildkitd}",role="prod"} == 0`,
      for: "1m",
      severity: "critical",
      summary: "Production builder {{ $labels.builder }} is down",
      description: "Prometheus cannot scrape the production builder {{ $labels.builder }} for 1 minute; release builds are blocked.",
      runbook: "Page the on-call. Check the host, `systemctl status buildkit`, disk space and the last deploy. Do not move production builds to shared builders.",
    },
    {
      alert: "BuildkitMetricsMissing",
      group: "buildfarm-availability",
      expr: `absent(up{job="${JOBS.buildkitd}"}) or absent(up{job="${JOBS.exporter}"})`,
      for: "10m",
      severity: "warning",
      summary: "No {{ $labels.job }} targets are scraped",
      description: "Prometheus has no {{ $labels.job }} scrape target at all: dashboards and every other alert are blind.",
      runbook: "Check the rendered prometheus.yml targets and `promtool check config`, and that buildkitd has `debugAddress` set (no default: without it there is no /metrics).",
    },
    {
      alert: "BuildkitInsightsExporterFailing",
      group: "buildfarm-availability",
      expr: `buildkit_insights_up == 0 or up{job="${JOBS.exporter}"} == 0`,
      for: "10m",
      severity: "warning",
      summary: "Build-insights exporter on {{ $labels.builder }} cannot read buildkitd",
      description: "The exporter is down or its buildctl calls fail, so cache size, hit-ratio and history metrics are stale.",
      runbook: "`journalctl -u buildkit-insights-exporter` shows the failing buildctl command; check the --buildctl-addr and TLS flags and the buildctl binary path.",
    },
    {
      alert: "NodeExporterDown",
      group: "buildfarm-availability",
      expr: `up{job="${JOBS.node}"} == 0`,
      for: "5m",
      severity: "warning",
      summary: "node_exporter on {{ $labels.builder }} is down",
      description: "Prometheus cannot scrape node_exporter on {{ $labels.builder }} ({{ $labels.instance }}) for 5 minutes: disk, memory, CPU and plugin alerts for that host are blind.",
      runbook: "`systemctl status node-exporter` on the host (BuildkitHost installs it unless told one exists); check the port is reachable from Prometheus.",
    },
    {
      alert: "BuildkitdRestarting",
      group: "buildfarm-availability",
      expr: `changes(process_start_time_seconds{job="${JOBS.buildkitd}"}[1h]) > ${HOST_LIMITS.restartsPerHourMax}`,
      for: "0m",
      severity: "warning",
      summary: "buildkitd on {{ $labels.builder }} restarted {{ $value }} times in an hour",
      description: `buildkitd on {{ $labels.builder }} started more than ${HOST_LIMITS.restartsPerHourMax} times in the last hour; every restart fails the builds that were running.`,
      runbook: "`journalctl -u buildkit --since -1h` for the exit reason (OOM kill: MemoryMax; panic: report upstream). A deploy restarts it once; more is a crash loop.",
    },
    {
      alert: "BuildkitRpcErrorRatioHigh",
      group: "buildfarm-availability",
      expr: `(sum by (${BY}) (${increaseSinceBirth(`rpc_server_call_duration_seconds_count{job="${JOBS.buildkitd}",rpc_method!~".*/Solve",rpc_response_status_code!~"OK|CANCELED|Canceled"}`, "15m")}) / sum by (${BY}) (increase(rpc_server_call_duration_seconds_count{job="${JOBS.buildkitd}",rpc_method!~".*/Solve"}[15m]))) > ${HOST_LIMITS.rpcErrorRatioMax}`,
      for: "10m",
      severity: "warning",
      summary: "buildkitd on {{ $labels.builder }} answers {{ $value | humanizePercentage }} of control calls with errors",
      description: `More than ${HOST_LIMITS.rpcErrorRatioMax * 100}% of buildkitd's gRPC calls (Solve excluded: failed builds are the failure alerts' job) ended in an error over 15 minutes.`,
      runbook: "Break the errors down by rpc_method and rpc_response_status_code on the build overview dashboard; UNAVAILABLE/DEADLINE_EXCEEDED point at overload or disk, PERMISSION_DENIED at client certificates.",
    },
    {
      alert: "BuildkitBuildFailureRatioHigh",
      group: "buildfarm-builds",
      expr: failureRatio('role!="prod"', t.buildFailureRatioMax, t.minBuildsPerHour),
      for: "15m",
      severity: "warning",
      summary: "Builds on {{ $labels.builder }} fail often ({{ $value | humanizePercentage }})",
      description: `More than ${t.buildFailureRatioMax * 100}% of builds on {{ $labels.builder }} failed over the last hour (at least ${t.minBuildsPerHour} builds).`,
      runbook: "Open the build overview dashboard, failures by error_code. `buildctl debug histories` lists recent failures; an error naming the cache backend points at the cache alert instead.",
    },
    {
      alert: "BuildkitProductionBuildFailures",
      group: "buildfarm-builds",
      expr: failureRatio('role="prod"', prod.buildFailureRatioMax, t.prodMinBuildsPerHour),
      for: "5m",
      severity: "critical",
      summary: "Production builds on {{ $labels.builder }} fail ({{ $value | humanizePercentage }})",
      description: `More than ${prod.buildFailureRatioMax * 100}% of production builds failed over the last hour (at least ${t.prodMinBuildsPerHour} builds).`,
      runbook: "Page the on-call. Compare with the previous release's builds in the production builder dashboard; check the cache backend and base image sources before retrying.",
    },
    {
      alert: "BuildkitBuildDurationRegression",
      group: "buildfarm-builds",
      expr: `${p95("1h")} > ${t.durationRegressionFactor} * ${p95("7d")} and on (${BY}) sum by (${BY}) (increase(buildkit_insights_build_duration_seconds_count{status="success"}[1h])) >= ${t.minBuildsPerHour}`,
      for: "30m",
      severity: "warning",
      summary: "p95 build duration on {{ $labels.builder }} regressed",
      description: `The p95 duration of successful builds over 1h is more than ${t.durationRegressionFactor}x the 7-day p95 on {{ $labels.builder }}.`,
      runbook: "Check the cache hit ratio and invalidation events first (a changed early step rebuilds everything after it), then CPU/IO pressure on the host and the remote cache export time.",
    },
    {
      alert: "BuildkitCacheHitRatioLow",
      group: "buildfarm-cache",
      expr: `${R.cacheUserHitRatio1h} < ${t.cacheHitRatioMin} and on (${BY}) sum by (${BY}) (increase(${M.buildsObservedTotal}[1h])) >= ${t.minBuildsPerHour}`,
      for: "15m",
      severity: "warning",
      summary: "User-step cache hit ratio on {{ $labels.builder }} is {{ $value | humanizePercentage }}",
      description: `Fewer than ${t.cacheHitRatioMin * 100}% of cacheable user steps (internal, export and cache vertices excluded) came from cache over the last hour, with at least ${t.minBuildsPerHour} builds.`,
      runbook: "Read the invalidation events (exporter JSON logs, `event: cache_invalidation`, `missedSteps`): an early step that changes rebuilds everything after it. Check that --import-cache points at the ref the pool exports, the cache probe (`buildkit_insights_cache_probe_up`) and that GC did not evict the cache.",
    },
    {
      alert: "BuildkitCacheBackendErrors",
      group: "buildfarm-cache",
      expr: `sum by (${BY}, operation, backend) (${increaseSinceBirth(M.cacheErrorsTotal, "15m")}) > 0`,
      for: "0m",
      severity: "warning",
      summary: "Cache {{ $labels.operation }} to {{ $labels.backend }} fails on {{ $labels.builder }}",
      description: "Build logs on {{ $labels.builder }} show failed cache {{ $labels.operation }} vertices ({{ $labels.backend }}) in the last 15 minutes. With ignore-error=true builds stay green but run uncached or leave no cache behind.",
      runbook: "The exporter's `event: cache_error` log lines carry the build ref and BuildKit's error. Check the endpoint and the probe, the bucket's credentials and permissions (readers need Get+List, writers Put) and lifecycle rules that may delete live blobs.",
    },
    {
      alert: "BuildkitCacheDiskNearLimit",
      group: "buildfarm-cache",
      expr: `buildkit_insights_cache_utilization_ratio{role!="prod"} > ${t.cacheDiskRatioMax}`,
      for: "15m",
      severity: "warning",
      summary: "Build cache on {{ $labels.builder }} uses {{ $value | humanizePercentage }} of maxUsedSpace",
      description: `The build cache is above ${t.cacheDiskRatioMax * 100}% of the GC maxUsedSpace for 15 minutes: GC is not keeping up or the limit is too small.`,
      runbook: "Compare with the host filesystem (du undercounts metadata). `buildctl prune --keep-storage` frees space now; raise maxUsedSpace only if the volume has headroom.",
    },
    {
      alert: "BuildkitProductionCacheDiskNearLimit",
      group: "buildfarm-cache",
      expr: `buildkit_insights_cache_utilization_ratio{role="prod"} > ${prod.cacheDiskRatioMax}`,
      for: "15m",
      severity: "critical",
      summary: "Production build cache on {{ $labels.builder }} uses {{ $value | humanizePercentage }} of maxUsedSpace",
      description: `The production builder's cache is above ${prod.cacheDiskRatioMax * 100}% of the GC maxUsedSpace: release builds will lose cache or fail on a full disk.`,
      runbook: "Check the host filesystem first (du undercounts metadata). Prune only unused records (`buildctl prune --keep-storage`), never during a release; grow the volume before raising maxUsedSpace.",
    },
    {
      alert: "BuildkitHostMemoryPressure",
      group: "buildfarm-hosts",
      expr: `(1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > ${t.memoryUsedRatioMax} or rate(node_pressure_memory_waiting_seconds_total[5m]) > 0.2`,
      for: "10m",
      severity: "warning",
      summary: "Memory pressure on {{ $labels.builder }}",
      description: `More than ${t.memoryUsedRatioMax * 100}% of memory is in use, or tasks wait for memory more than 20% of the time.`,
      runbook: "Lower max-parallelism or the unit's MemoryMax headroom; look for builds with huge RUN steps in history.",
    },
    {
      alert: "BuildkitHostCpuPressure",
      group: "buildfarm-hosts",
      expr: `rate(node_pressure_cpu_waiting_seconds_total[5m]) > ${t.cpuWaitingRatioMax}`,
      for: "15m",
      severity: "warning",
      summary: "CPU pressure on {{ $labels.builder }}",
      description: `Runnable tasks waited for a CPU more than ${t.cpuWaitingRatioMax * 100}% of the time for 15 minutes (CPU throttled or oversubscribed).`,
      runbook: "Check CPUQuota of the buildkit unit and max-parallelism; add builders to the pool if the load is steady.",
    },
    {
      alert: "BuildkitHostFilesystemLow",
      group: "buildfarm-hosts",
      expr: `node_filesystem_avail_bytes{${REAL_FS}} / node_filesystem_size_bytes{${REAL_FS}} < ${HOST_LIMITS.filesystemFreeRatioMin}`,
      for: "10m",
      severity: "critical",
      summary: "{{ $labels.mountpoint }} on {{ $labels.builder }} has {{ $value | humanizePercentage }} free",
      description: `Less than ${HOST_LIMITS.filesystemFreeRatioMin * 100}% of {{ $labels.mountpoint }} is free (measured on the filesystem, not from buildctl du): builds fail with "no space left on device".`,
      runbook: "`df -h` and `buildctl du` on the host; `buildctl prune --keep-storage` frees cache now. If the cache is not the user, find what is (logs, images) before lowering maxUsedSpace.",
    },
    {
      alert: "NodeTextfileMetricsStale",
      group: "buildfarm-hosts",
      expr: `time() - node_textfile_mtime_seconds{job="${JOBS.node}"} > ${HOST_LIMITS.textfileMaxAgeSeconds} or node_textfile_scrape_error{job="${JOBS.node}"} == 1`,
      for: "15m",
      severity: "warning",
      summary: "Textfile metrics on {{ $labels.builder }} are stale or unreadable",
      description: `A textfile-collector file (plugin metrics) was not rewritten for over ${HOST_LIMITS.textfileMaxAgeSeconds / 60} minutes, or node_exporter cannot parse one: plugin alerts show old values.`,
      runbook: "`systemctl list-timers` for the plugin health timer and `journalctl -u docker-cli-plugin-health`; a parse error names the file in node_exporter's log.",
    },
    {
      alert: "DockerCliPluginInvalid",
      group: "buildfarm-hosts",
      expr: "docker_cli_plugins_invalid > 0",
      for: "5m",
      severity: "warning",
      summary: "{{ $value }} invalid Docker CLI plugin(s) on {{ $labels.builder }}",
      description: "`docker info` reports invalid CLI plugins (docker_cli_plugin_info{status=\"invalid\"} names them): builds using buildx or compose may fail.",
      runbook: "Run `docker info --format '{{ \"{{json .ClientInfo.Plugins}}\" }}'` on the host. `exec format error` means a wrong-architecture binary or an HTML page saved as the plugin; re-run the PluginSet update, which keeps the previous version.",
    },
    {
      alert: "BuildkitCertificateExpiring",
      group: "buildfarm-hosts",
      expr: `(buildkit_insights_certificate_not_after_seconds{role!="prod"} - time()) < ${t.certificateExpiryDays} * 86400`,
      for: "10m",
      severity: "warning",
      summary: "Certificate {{ $labels.certificate }} on {{ $labels.builder }} expires soon",
      description: `The certificate expires in less than ${t.certificateExpiryDays} days; after that buildctl and buildx clients fail with x509 errors.`,
      runbook: "Re-run `pulumi up` to rotate the generated certificates (or install the renewed supplied ones) and restart buildkitd; clients need the new CA only if it changed.",
    },
    {
      alert: "BuildkitProductionCertificateExpiring",
      group: "buildfarm-hosts",
      expr: `(buildkit_insights_certificate_not_after_seconds{role="prod"} - time()) < ${prod.certificateExpiryDays} * 86400`,
      for: "10m",
      severity: "warning",
      summary: "Production certificate {{ $labels.certificate }} on {{ $labels.builder }} expires soon",
      description: `A production builder certificate expires in less than ${prod.certificateExpiryDays} days; release pipelines fail with x509 errors after that.`,
      runbook: "Rotate through `pulumi up` on the prod stack in a change window (ProductionBuilder has its own CA), restart buildkitd, then run the connectivity self-test from a release runner.",
    },
  ];
}
