import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { farmDashboard, SELECTOR, stat, timeseries } from "./common";

/** Shared by the overview and the production builder dashboard. */
export function buildPanels(dashboard: DashboardBuilder, selector: string): DashboardBuilder {
  const builds = `buildkit_builds_total{${selector}}`;
  return dashboard
    .withRow(new RowBuilder("Builds"))
    .withPanel(stat("Builds (range)", "short", `sum(increase(${builds}[$__range]))`))
    .withPanel(stat("Success ratio (range)", "percentunit", `sum(increase(buildkit_builds_total{status="success",${selector}}[$__range])) / sum(increase(${builds}[$__range]))`))
    .withPanel(stat("p95 duration (range)", "s", `histogram_quantile(0.95, sum(rate(buildkit_build_duration_seconds{${selector}}[$__range])))`))
    .withPanel(stat("Failures (range)", "short", `sum(increase(buildkit_builds_total{status="failure",${selector}}[$__range]))`))
    .withPanel(timeseries("Build rate per builder", "reqpm", [[`sum by (builder) (rate(${builds}[$__rate_interval])) * 60`, "{{builder}}"]]))
    .withPanel(
      timeseries("Success ratio per builder", "percentunit", [
        [`sum by (builder) (rate(buildkit_builds_total{status="success",${selector}}[$__rate_interval])) / sum by (builder) (rate(${builds}[$__rate_interval]))`, "{{builder}}"],
      ]),
    )
    .withRow(new RowBuilder("Duration"))
    .withPanel(
      timeseries("Build duration p50 / p95 (buildkitd native histogram)", "s", [
        [`histogram_quantile(0.5, sum by (builder) (rate(buildkit_build_duration_seconds{${selector}}[$__rate_interval])))`, "p50 {{builder}}"],
        [`histogram_quantile(0.95, sum by (builder) (rate(buildkit_build_duration_seconds{${selector}}[$__rate_interval])))`, "p95 {{builder}}"],
      ]),
    )
    .withPanel(
      timeseries("Build duration p95 vs 7-day baseline (exporter)", "s", [
        [`histogram_quantile(0.95, sum by (builder, le) (rate(buildkit_insights_build_duration_seconds_bucket{status="success",${selector}}[1h])))`, "p95 1h {{builder}}"],
        [`histogram_quantile(0.95, sum by (builder, le) (rate(buildkit_insights_build_duration_seconds_bucket{status="success",${selector}}[7d])))`, "p95 7d {{builder}}"],
      ]),
    )
    .withRow(new RowBuilder("Failures"))
    .withPanel(timeseries("Failures by error code", "short", [[`sum by (builder, error_code) (increase(buildkit_builds_total{status="failure",${selector}}[$__rate_interval]))`, "{{builder}} {{error_code}}"]]))
    .withPanel(timeseries("Recent builds: duration (last N records)", "s", [[`buildkit_insights_history_build_duration_seconds{${selector}}`, "{{builder}} {{ref}} {{status}}"]]));
}

export function buildOverviewDashboard(): DashboardBuilder {
  const dashboard = farmDashboard({ uid: "buildfarm-build-overview", title: "Build farm / Build overview", description: "Build rate, success ratio, p50/p95 duration and failures by error code per builder." });
  return buildPanels(dashboard, SELECTOR);
}
