import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { DatasourceVariableBuilder, RowBuilder, TextBoxVariableBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { MetricsQueryBuilder } from "@grafana/grafana-foundation-sdk/cloudwatch";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { farmDashboard, SELECTOR, stat, timeseries } from "./common";

/** buildkitd's own step counters count every vertex (internal loads, export, cache vertices): not a hit ratio of the user's steps. */
const allVertexSteps = (kind: string): string => `sum (rate(buildkit_builds_steps_total{kind="${kind}",${SELECTOR}}[$__rate_interval]))`;
const userSteps = (result: string, range: string, by = ""): string =>
  `sum${by} (increase(buildkit_insights_user_steps_total{result=~"${result}",${SELECTOR}}[${range}]))`;

/** The S3 bucket's size comes from CloudWatch (AWS/S3 BucketSizeBytes, daily). */
function s3CacheSizePanel(): TimeseriesPanelBuilder {
  const cloudwatch = { type: "cloudwatch", uid: "${cloudwatch}" };
  return new TimeseriesPanelBuilder()
    .title("S3 cache bucket size (CloudWatch, daily)")
    .unit("bytes")
    .datasource(cloudwatch)
    .height(8)
    .span(12)
    .withTarget(
      new MetricsQueryBuilder()
        .datasource(cloudwatch)
        .refId("A")
        .namespace("AWS/S3")
        .metricName("BucketSizeBytes")
        .dimensions({ BucketName: "$bucket", StorageType: "StandardStorage" })
        .statistic("Average")
        .period("86400")
        .region("default"),
    );
}

export function cachePerformanceDashboard(): DashboardBuilder {
  return farmDashboard({ uid: "buildfarm-cache-performance", title: "Build farm / Cache performance", description: "User-step cache hit ratio (cached over cacheable user steps), invalidation events, cache import/export errors and cache disk against the GC limits." })
    .withVariable(new DatasourceVariableBuilder("cloudwatch").label("CloudWatch (S3 cache)").type("cloudwatch"))
    .withVariable(new TextBoxVariableBuilder("bucket").label("S3 cache bucket"))
    .withRow(new RowBuilder("Hit ratio"))
    .withPanel(stat("User-step cache hit ratio (range)", "percentunit", `${userSteps("cached", "$__range")} / ${userSteps("cached|missed", "$__range")}`))
    .withPanel(stat("Invalidated builds (range)", "short", `sum(increase(buildkit_insights_cache_invalidations_total{${SELECTOR}}[$__range]))`))
    .withPanel(stat("Cache disk / maxUsedSpace", "percentunit", `max(buildkit_insights_cache_utilization_ratio{${SELECTOR}})`))
    .withPanel(stat("Cache import/export errors (range)", "short", `sum(increase(buildkit_insights_cache_errors_total{${SELECTOR}}[$__range]))`))
    .withPanel(
      timeseries("User-step cache hit ratio (1h, the alert's series)", "percentunit", [
        [`buildfarm:cache_user_hit_ratio:rate1h{${SELECTOR}}`, "{{builder}}"],
        [`${allVertexSteps("cached")} / ${allVertexSteps("total")}`, "buildkitd all-vertex ratio (incl. internal, export, cache vertices)"],
      ]),
    )
    .withPanel(timeseries("Cached vs missed user steps", "short", [[`${userSteps("cached", "$__rate_interval")}`, "cached"], [`${userSteps("missed", "$__rate_interval")}`, "missed"]]))
    .withPanel(
      timeseries("Per-build hit ratio (median, p10)", "percentunit", [
        [`histogram_quantile(0.5, sum by (le) (rate(buildkit_insights_build_cache_hit_ratio_bucket{${SELECTOR}}[$__rate_interval])))`, "median"],
        [`histogram_quantile(0.1, sum by (le) (rate(buildkit_insights_build_cache_hit_ratio_bucket{${SELECTOR}}[$__rate_interval])))`, "p10"],
      ]),
    )
    .withPanel(timeseries("Cache invalidation events (builds with a missed user step)", "short", [[`sum by (builder, kind) (increase(buildkit_insights_cache_invalidations_total{${SELECTOR}}[$__rate_interval]))`, "{{builder}} {{kind}}"]]))
    .withRow(new RowBuilder("Cache disk"))
    .withPanel(
      timeseries("Cache disk vs GC limit", "bytes", [
        [`sum by (builder) (buildkit_insights_cache_disk_usage_bytes{${SELECTOR}})`, "used {{builder}}"],
        [`max by (builder) (buildkit_insights_cache_gc_max_used_bytes{${SELECTOR}})`, "maxUsedSpace {{builder}}"],
        [`sum by (builder) (buildkit_insights_cache_reclaimable_bytes{${SELECTOR}})`, "reclaimable {{builder}}"],
      ]),
    )
    .withPanel(timeseries("Cache disk by record type", "bytes", [[`sum by (record_type) (buildkit_insights_cache_disk_usage_bytes{${SELECTOR}})`, "{{record_type}}"]]))
    .withRow(new RowBuilder("Remote cache"))
    .withPanel(s3CacheSizePanel())
    .withPanel(timeseries("Cache import/export errors (from build logs)", "short", [[`sum by (builder, operation, backend) (increase(buildkit_insights_cache_errors_total{${SELECTOR}}[$__rate_interval]))`, "{{builder}} {{operation}} {{backend}}"]]));
}
