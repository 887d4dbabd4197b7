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

/** Step counters (per minute) and builds for the cache hit ratio. */
function stepSeries(labels: Record<string, string>, cachedPerMin: number, totalPerMin: number, buildsPerMin: number) {
  return [
    series("buildkit_builds_steps_total", { ...bk(labels), kind: "cached" }, `0+${cachedPerMin}x120`),
    series("buildkit_builds_steps_total", { ...bk(labels), kind: "total" }, `0+${totalPerMin}x120`),
    series("buildkit_builds_total", { ...bk(labels), status: "success" }, `0+${buildsPerMin}x120`),
  ];
}

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
      {
        name: "a quarter of steps come from cache on a busy builder",
        interval: "1m",
        series: stepSeries(B1, 2, 8, 1),
        checks: [{ at: "60m", alert: "BuildkitCacheHitRatioLow", fires: [{ labels: aggregated(B1), value: "25%" }] }],
      },
      {
        name: "a good hit ratio, and a bad one with too few builds",
        interval: "1m",
        series: [...stepSeries(B1, 9, 10, 1), ...stepSeries(P1, 2, 8, 0.1)],
        checks: [{ at: "60m", alert: "BuildkitCacheHitRatioLow", fires: [] }],
      },
      {
        name: "a build fails on the cache backend, then none do",
        interval: "1m",
        series: [series("buildkit_insights_cache_backend_errors_total", ex(B1), "0 0 0 1x40")],
        checks: [
          { at: "5m", alert: "BuildkitCacheBackendErrors", fires: [{ labels: ex(B1) }] },
          { at: "30m", alert: "BuildkitCacheBackendErrors", fires: [] },
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
