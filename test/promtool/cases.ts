/**
 * promtool unit-test cases for every alert: hand-written input series and expected outcomes.
 * `generate.ts` turns them into the committed `*.test.yml` files (adding the expanded annotations).
 */

export interface ExpectedAlert {
  /** Labels of the firing alert, without alertname and severity (added from the rule). */
  readonly labels: Readonly<Record<string, string>>;
  /** How `{{ $value }}` renders in the annotations, when they use it. */
  readonly value?: string;
}

export interface AlertCheck {
  readonly at: string;
  readonly alert: string;
  /** Empty: the quiet case. */
  readonly fires: readonly ExpectedAlert[];
}

export interface PromtoolTest {
  readonly name: string;
  readonly interval: string;
  readonly series: ReadonlyArray<{ series: string; values: string }>;
  readonly checks: readonly AlertCheck[];
}

export interface PromtoolTestFile {
  /** Written as `<file>.test.yml`, testing `rules/<group>.yml`. */
  readonly file: string;
  readonly group: string;
  readonly evaluationInterval: string;
  readonly tests: readonly PromtoolTest[];
}

const B1 = { environment: "dev", builder: "b1", role: "shared" };
const P1 = { environment: "prod", builder: "prod-1", role: "prod" };
const sel = (labels: Record<string, string>): string =>
  Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",");
const bk = (labels: Record<string, string>) => ({ job: "buildkitd", instance: `${labels.builder}:6060`, ...labels });
const ex = (labels: Record<string, string>) => ({ job: "buildkit-insights", instance: `${labels.builder}:9465`, ...labels });
const node = (labels: Record<string, string>) => ({ job: "node", instance: `${labels.builder}:9100`, ...labels });
const series = (name: string, labels: Record<string, string>, values: string) => ({ series: `${name}{${sel(labels)}}`, values });
const aggregated = (labels: { environment: string; builder: string }) => ({ environment: labels.environment, builder: labels.builder });

/** Builds and steps for one builder: `failurePerMin`/`successPerMin` builds a minute for 2h. */
function buildSeries(labels: Record<string, string>, successPerMin: number, failurePerMin: number) {
  return [
    series("buildkit_builds_total", { ...bk(labels), status: "success" }, `0+${successPerMin}x120`),
    series("buildkit_builds_total", { ...bk(labels), status: "failure", error_code: "Unknown" }, `0+${failurePerMin}x120`),
  ];
}

/** The exporter's user-step counters (per minute) and observed builds, for the user hit ratio. */
function userStepSeries(labels: Record<string, string>, cachedPerMin: number, missedPerMin: number, buildsPerMin: number) {
  return [
    series("buildkit_insights_user_steps_total", { ...ex(labels), result: "cached" }, `0+${cachedPerMin}x120`),
    series("buildkit_insights_user_steps_total", { ...ex(labels), result: "missed" }, `0+${missedPerMin}x120`),
    series("buildkit_insights_builds_observed_total", { ...ex(labels), status: "success" }, `0+${buildsPerMin}x120`),
    series("buildkit_insights_builds_observed_total", { ...ex(labels), status: "failure" }, "0x120"),
  ];
}

/**
 * A healthy farm whose every build is fully cached: a shared and a production builder, one build a minute,
 * 18 of 18 user steps cached (buildkitd's all-vertex ratio reads 18/22 = 0.82), no failure series yet
 * (buildkitd creates it at the first failure), every target up, hosts idle, certificates far from expiry.
 */
export function healthyFarm(): Array<{ series: string; values: string }> {
  return [B1, P1].flatMap((labels) => [
    series("up", bk(labels), "1x120"),
    series("up", ex(labels), "1x120"),
    series("up", node(labels), "1x120"),
    series("buildkit_insights_up", ex(labels), "1x120"),
    series("buildkit_builds_total", { ...bk(labels), status: "success" }, "0+1x120"),
    series("buildkit_builds_steps_total", { ...bk(labels), kind: "cached" }, "0+18x120"),
    series("buildkit_builds_steps_total", { ...bk(labels), kind: "total" }, "0+22x120"),
    ...userStepSeries(labels, 18, 0, 1),
    ...["import", "export"].map((operation) => series("buildkit_insights_cache_errors_total", { ...ex(labels), operation, backend: "s3" }, "0x120")),
    series("buildkit_insights_cache_utilization_ratio", ex(labels), "0.5x120"),
    series("node_memory_MemAvailable_bytes", node(labels), "5000x120"),
    series("node_memory_MemTotal_bytes", node(labels), "10000x120"),
    series("node_pressure_memory_waiting_seconds_total", node(labels), "0+1x120"),
    series("node_pressure_cpu_waiting_seconds_total", node(labels), "0+1x120"),
    series("docker_cli_plugins_invalid", node(labels), "0x120"),
    series("buildkit_insights_certificate_not_after_seconds", { ...ex(labels), certificate: "buildkitd-server" }, "31536000x120"),
    series("process_start_time_seconds", bk(labels), "0x120"),
    series("rpc_server_call_duration_seconds_count", { ...bk(labels), rpc_method: "moby.buildkit.v1.Control/ListWorkers", rpc_response_status_code: "OK" }, "0+4x120"),
    series("rpc_server_call_duration_seconds_count", { ...bk(labels), rpc_method: "moby.buildkit.v1.Control/Solve", rpc_response_status_code: "OK" }, "0+1x120"),
    series("node_filesystem_avail_bytes", { ...node(labels), mountpoint: "/", fstype: "ext4", device: "/dev/sda1" }, "600x120"),
    series("node_filesystem_size_bytes", { ...node(labels), mountpoint: "/", fstype: "ext4", device: "/dev/sda1" }, "1000x120"),
    series("node_textfile_mtime_seconds", { ...node(labels), file: "/var/lib/prometheus/node-exporter/plugins.prom" }, "0+60x120"),
    series("node_textfile_scrape_error", node(labels), "0x120"),
  ]);
}

/** The name of the quiet case every alert has. */
export const HEALTHY_FARM = "quiet on a healthy, fully cached farm";
/** The name of the case every failure-counting alert has. */
export const FRESH_SERIES = "fires on the first failure of a fresh series";

/** A quiet check at 90m for every alert of a group. */
const quietOnHealthyFarm = (alerts: readonly string[]): PromtoolTest => ({
  name: HEALTHY_FARM,
  interval: "1m",
  series: healthyFarm(),
  checks: alerts.map((alert) => ({ at: "90m", alert, fires: [] })),
});

/** 7 days of fast builds (le=30s) every 15m, then `regressed` 15m steps of slow ones (le=300s). */
function durationSeries(labels: Record<string, string>, regressed: number) {
  const base = 672;
  const total = base + regressed;
  const fast = regressed > 0 ? `0+10x${base} ${base * 10}+0x${regressed}` : `0+10x${total}`;
  const name = "buildkit_insights_build_duration_seconds_bucket";
  return [
    series(name, { ...ex(labels), status: "success", le: "30" }, fast),
    series(name, { ...ex(labels), status: "success", le: "60" }, fast),
    series(name, { ...ex(labels), status: "success", le: "300" }, `0+10x${total}`),
    series(name, { ...ex(labels), status: "success", le: "+Inf" }, `0+10x${total}`),
    series("buildkit_insights_build_duration_seconds_count", { ...ex(labels), status: "success" }, `0+10x${total}`),
  ];
}

export const PROMTOOL_TEST_FILES: readonly PromtoolTestFile[] = [
  {
    file: "buildfarm-availability",
    group: "buildfarm-availability",
    evaluationInterval: "1m",
    tests: [
      quietOnHealthyFarm(["BuildkitBuilderDown", "BuildkitProductionBuilderDown", "BuildkitMetricsMissing", "BuildkitInsightsExporterFailing", "NodeExporterDown", "BuildkitdRestarting", "BuildkitRpcErrorRatioHigh"]),
      {
        name: "node_exporter stops answering, buildkitd restarts twice in an hour",
        interval: "1m",
        series: [series("up", node(B1), "1 1 0x20"), series("process_start_time_seconds", bk(B1), "0x10 600x10 1200x10")],
        checks: [
          { at: "3m", alert: "NodeExporterDown", fires: [] },
          { at: "10m", alert: "NodeExporterDown", fires: [{ labels: node(B1) }] },
          { at: "15m", alert: "BuildkitdRestarting", fires: [] },
          { at: "25m", alert: "BuildkitdRestarting", fires: [{ labels: bk(B1), value: "2" }] },
        ],
      },
      {
        name: FRESH_SERIES,
        interval: "1m",
        series: [
          series("rpc_server_call_duration_seconds_count", { ...bk(B1), rpc_method: "moby.buildkit.v1.Control/ListWorkers", rpc_response_status_code: "OK" }, "0+10x60"),
          series("rpc_server_call_duration_seconds_count", { ...bk(B1), rpc_method: "moby.buildkit.v1.Control/ListWorkers", rpc_response_status_code: "UNAVAILABLE" }, "_x10 1+5x50"),
        ],
        checks: [
          { at: "9m", alert: "BuildkitRpcErrorRatioHigh", fires: [] },
          { at: "21m", alert: "BuildkitRpcErrorRatioHigh", fires: [{ labels: aggregated(B1), value: "27.18%" }] },
        ],
      },
      {
        name: "a builder stops answering scrapes",
        interval: "1m",
        series: [series("up", bk(B1), "1 1 0x20"), series("up", bk(P1), "1 1 0x20"), series("up", ex(B1), "1x22")],
        checks: [
          { at: "4m", alert: "BuildkitBuilderDown", fires: [] },
          { at: "10m", alert: "BuildkitBuilderDown", fires: [{ labels: bk(B1) }] },
          { at: "2m", alert: "BuildkitProductionBuilderDown", fires: [] },
          { at: "10m", alert: "BuildkitProductionBuilderDown", fires: [{ labels: bk(P1) }] },
        ],
      },
      {
        name: "every target is scraped",
        interval: "1m",
        series: [series("up", bk(B1), "1x20"), series("up", ex(B1), "1x20"), series("buildkit_insights_up", ex(B1), "1x20")],
        checks: [
          { at: "15m", alert: "BuildkitMetricsMissing", fires: [] },
          { at: "15m", alert: "BuildkitInsightsExporterFailing", fires: [] },
        ],
      },
      {
        name: "the exporter job is missing",
        interval: "1m",
        series: [series("up", bk(B1), "1x20")],
        checks: [{ at: "15m", alert: "BuildkitMetricsMissing", fires: [{ labels: { job: "buildkit-insights" } }] }],
      },
      {
        name: "the exporter cannot reach buildkitd",
        interval: "1m",
        series: [series("up", ex(B1), "1x20"), series("buildkit_insights_up", ex(B1), "1 1 0x18")],
        checks: [
          { at: "8m", alert: "BuildkitInsightsExporterFailing", fires: [] },
          { at: "15m", alert: "BuildkitInsightsExporterFailing", fires: [{ labels: ex(B1) }] },
        ],
      },
    ],
  },
  {
    file: "buildfarm-builds",
    group: "buildfarm-builds",
    evaluationInterval: "1m",
    tests: [
      quietOnHealthyFarm(["BuildkitBuildFailureRatioHigh", "BuildkitProductionBuildFailures"]),
      {
        name: FRESH_SERIES,
        interval: "1m",
        series: [
          series("buildkit_builds_total", { ...bk(P1), status: "success" }, "0+0.1x120"),
          series("buildkit_builds_total", { ...bk(P1), status: "failure", error_code: "Unknown" }, "_x60 1x60"),
          series("buildkit_builds_total", { ...bk(B1), status: "success" }, "0+1x120"),
          series("buildkit_builds_total", { ...bk(B1), status: "failure", error_code: "Unknown" }, "_x60 1+1x60"),
        ],
        checks: [
          { at: "62m", alert: "BuildkitProductionBuildFailures", fires: [] },
          { at: "70m", alert: "BuildkitProductionBuildFailures", fires: [{ labels: aggregated(P1), value: "14.29%" }] },
          { at: "90m", alert: "BuildkitBuildFailureRatioHigh", fires: [{ labels: aggregated(B1), value: "34.07%" }] },
        ],
      },
      {
        name: "half the builds on a busy shared builder fail",
        interval: "1m",
        series: buildSeries(B1, 1, 1),
        checks: [{ at: "90m", alert: "BuildkitBuildFailureRatioHigh", fires: [{ labels: aggregated(B1), value: "50%" }] }],
      },
      {
        name: "failures on a quiet builder (fewer builds than the minimum) and on the production builder",
        interval: "1m",
        series: [...buildSeries(B1, 0.1, 0.1), ...buildSeries(P1, 0.75, 0.25)],
        checks: [
          { at: "90m", alert: "BuildkitBuildFailureRatioHigh", fires: [] },
          { at: "90m", alert: "BuildkitProductionBuildFailures", fires: [{ labels: aggregated(P1), value: "25%" }] },
        ],
      },
      {
        name: "the production builder fails below its stricter threshold",
        interval: "1m",
        series: buildSeries(P1, 0.99, 0.01),
        checks: [{ at: "90m", alert: "BuildkitProductionBuildFailures", fires: [] }],
      },
    ],
  },
  {
    file: "buildfarm-builds-duration",
    group: "buildfarm-builds",
    evaluationInterval: "15m",
    tests: [
      {
        name: "builds get ten times slower than the 7-day baseline",
        interval: "15m",
        series: durationSeries(B1, 8),
        checks: [
          { at: "167h", alert: "BuildkitBuildDurationRegression", fires: [] },
          { at: "170h", alert: "BuildkitBuildDurationRegression", fires: [{ labels: aggregated(B1) }] },
        ],
      },
      {
        name: "durations stay at the baseline",
        interval: "15m",
        series: durationSeries(B1, 0),
        checks: [{ at: "170h", alert: "BuildkitBuildDurationRegression", fires: [] }],
      },
    ],
  },
  {
    file: "buildfarm-cache",
    group: "buildfarm-cache",
    evaluationInterval: "1m",
    tests: [
      quietOnHealthyFarm(["BuildkitCacheHitRatioLow", "BuildkitCacheBackendErrors", "BuildkitCacheDiskNearLimit", "BuildkitProductionCacheDiskNearLimit"]),
      {
        name: "a quarter of user steps come from cache on a busy builder",
        interval: "1m",
        series: userStepSeries(B1, 2, 6, 1),
        checks: [{ at: "60m", alert: "BuildkitCacheHitRatioLow", fires: [{ labels: aggregated(B1), value: "25%" }] }],
      },
      {
        name: "a good hit ratio, and a bad one with too few builds",
        interval: "1m",
        series: [...userStepSeries(B1, 9, 1, 1), ...userStepSeries(P1, 2, 6, 0.1)],
        checks: [{ at: "60m", alert: "BuildkitCacheHitRatioLow", fires: [] }],
      },
      {
        name: "a cache export fails in one build's log (zero-initialised series), then none do",
        interval: "1m",
        series: [series("buildkit_insights_cache_errors_total", { ...ex(B1), operation: "export", backend: "s3" }, "0 0 0 1x40")],
        checks: [
          { at: "5m", alert: "BuildkitCacheBackendErrors", fires: [{ labels: { ...aggregated(B1), operation: "export", backend: "s3" } }] },
          { at: "30m", alert: "BuildkitCacheBackendErrors", fires: [] },
        ],
      },
      {
        name: FRESH_SERIES,
        interval: "1m",
        series: [series("buildkit_insights_cache_errors_total", { ...ex(P1), operation: "import", backend: "gha" }, "_x5 1x40")],
        checks: [
          { at: "4m", alert: "BuildkitCacheBackendErrors", fires: [] },
          { at: "7m", alert: "BuildkitCacheBackendErrors", fires: [{ labels: { ...aggregated(P1), operation: "import", backend: "gha" } }] },
        ],
      },
      {
        name: "cache disk near and well below maxUsedSpace",
        interval: "1m",
        series: [series("buildkit_insights_cache_utilization_ratio", ex(B1), "0.95x30"), series("buildkit_insights_cache_utilization_ratio", ex(P1), "0.5x30")],
        checks: [
          { at: "10m", alert: "BuildkitCacheDiskNearLimit", fires: [] },
          { at: "20m", alert: "BuildkitCacheDiskNearLimit", fires: [{ labels: ex(B1), value: "95%" }] },
          { at: "20m", alert: "BuildkitProductionCacheDiskNearLimit", fires: [] },
        ],
      },
      {
        name: "85% cache disk: only the production builder's stricter limit fires",
        interval: "1m",
        series: [series("buildkit_insights_cache_utilization_ratio", ex(B1), "0.85x30"), series("buildkit_insights_cache_utilization_ratio", ex(P1), "0.85x30")],
        checks: [
          { at: "20m", alert: "BuildkitCacheDiskNearLimit", fires: [] },
          { at: "20m", alert: "BuildkitProductionCacheDiskNearLimit", fires: [{ labels: ex(P1), value: "85%" }] },
        ],
      },
    ],
  },
  {
    file: "buildfarm-hosts",
    group: "buildfarm-hosts",
    evaluationInterval: "1m",
    tests: [
      quietOnHealthyFarm(["BuildkitHostMemoryPressure", "BuildkitHostCpuPressure", "DockerCliPluginInvalid", "BuildkitCertificateExpiring", "BuildkitProductionCertificateExpiring", "BuildkitHostFilesystemLow", "NodeTextfileMetricsStale"]),
      {
        name: "the root filesystem fills up and the plugin textfile stops being rewritten",
        interval: "1m",
        series: [
          series("node_filesystem_avail_bytes", { ...node(B1), mountpoint: "/", fstype: "ext4", device: "/dev/sda1" }, "50x90"),
          series("node_filesystem_size_bytes", { ...node(B1), mountpoint: "/", fstype: "ext4", device: "/dev/sda1" }, "1000x90"),
          series("node_filesystem_avail_bytes", { ...node(B1), mountpoint: "/run", fstype: "tmpfs", device: "tmpfs" }, "1x90"),
          series("node_filesystem_size_bytes", { ...node(B1), mountpoint: "/run", fstype: "tmpfs", device: "tmpfs" }, "1000x90"),
          series("node_textfile_mtime_seconds", { ...node(B1), file: "/var/lib/prometheus/node-exporter/plugins.prom" }, "0x90"),
        ],
        checks: [
          { at: "5m", alert: "BuildkitHostFilesystemLow", fires: [] },
          { at: "15m", alert: "BuildkitHostFilesystemLow", fires: [{ labels: { ...node(B1), mountpoint: "/", fstype: "ext4", device: "/dev/sda1" }, value: "5%" }] },
          { at: "70m", alert: "NodeTextfileMetricsStale", fires: [] },
          { at: "80m", alert: "NodeTextfileMetricsStale", fires: [{ labels: { ...node(B1), file: "/var/lib/prometheus/node-exporter/plugins.prom" } }] },
        ],
      },
      {
        name: "a host runs out of memory and CPU, with an invalid plugin and an expiring certificate",
        interval: "1m",
        series: [
          series("node_memory_MemAvailable_bytes", node(B1), "500x30"),
          series("node_memory_MemTotal_bytes", node(B1), "10000x30"),
          series("node_pressure_cpu_waiting_seconds_total", node(B1), "0+54x30"),
          series("docker_cli_plugins_invalid", node(B1), "1x30"),
          series("buildkit_insights_certificate_not_after_seconds", { ...ex(B1), certificate: "buildkitd-server" }, "864000x30"),
        ],
        checks: [
          { at: "5m", alert: "BuildkitHostMemoryPressure", fires: [] },
          { at: "15m", alert: "BuildkitHostMemoryPressure", fires: [{ labels: node(B1) }] },
          { at: "20m", alert: "BuildkitHostCpuPressure", fires: [{ labels: node(B1) }] },
          { at: "2m", alert: "DockerCliPluginInvalid", fires: [] },
          { at: "8m", alert: "DockerCliPluginInvalid", fires: [{ labels: node(B1), value: "1" }] },
          { at: "20m", alert: "BuildkitCertificateExpiring", fires: [{ labels: { ...ex(B1), certificate: "buildkitd-server" } }] },
        ],
      },
      {
        name: "a healthy host",
        interval: "1m",
        series: [
          series("node_memory_MemAvailable_bytes", node(B1), "5000x30"),
          series("node_memory_MemTotal_bytes", node(B1), "10000x30"),
          series("node_pressure_memory_waiting_seconds_total", node(B1), "0+6x30"),
          series("node_pressure_cpu_waiting_seconds_total", node(B1), "0+30x30"),
          series("docker_cli_plugins_invalid", node(B1), "0x30"),
          series("buildkit_insights_certificate_not_after_seconds", { ...ex(B1), certificate: "buildkitd-server" }, "3024000x30"),
          series("buildkit_insights_certificate_not_after_seconds", { ...ex(P1), certificate: "buildkitd-server" }, "3024000x30"),
        ],
        checks: [
          { at: "20m", alert: "BuildkitProductionCertificateExpiring", fires: [] },
          { at: "20m", alert: "BuildkitHostMemoryPressure", fires: [] },
          { at: "20m", alert: "BuildkitHostCpuPressure", fires: [] },
          { at: "20m", alert: "DockerCliPluginInvalid", fires: [] },
          { at: "20m", alert: "BuildkitCertificateExpiring", fires: [] },
        ],
      },
      {
        name: "certificates 20 days from expiry: only the production builder's 30-day limit fires",
        interval: "1m",
        series: [
          series("buildkit_insights_certificate_not_after_seconds", { ...ex(B1), certificate: "buildkitd-server" }, "1728000x30"),
          series("buildkit_insights_certificate_not_after_seconds", { ...ex(P1), certificate: "buildkitd-server" }, "1728000x30"),
        ],
        checks: [
          { at: "20m", alert: "BuildkitCertificateExpiring", fires: [] },
          { at: "20m", alert: "BuildkitProductionCertificateExpiring", fires: [{ labels: { ...ex(P1), certificate: "buildkitd-server" } }] },
        ],
      },
    ],
  },
];

/** ProductionBuilder's default `monitoring` thresholds, stricter than the shared ones; the committed rules use them. */
export const PRODUCTION_THRESHOLDS = { buildFailureRatioMax: 0.02, certificateExpiryDays: 30, cacheDiskRatioMax: 0.8 } as const;
