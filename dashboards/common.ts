import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import { DashboardBuilder, DatasourceVariableBuilder, QueryVariableBuilder, VariableRefresh, VariableSort } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

/** Every panel queries the datasource chosen in the `datasource` variable. */
export const PROMETHEUS_DS = { type: "prometheus", uid: "${datasource}" } as const;

/** Label matchers every query carries, bound to the dashboard variables. */
export const SELECTOR = 'environment=~"$environment",builder=~"$builder"';

/** A dashboard with the shared variables: datasource, environment, builder (optionally fixed to a role). */
export function farmDashboard(options: { uid: string; title: string; description: string; role?: "prod" }): DashboardBuilder {
  const roleMatcher = options.role === undefined ? "" : `, role="${options.role}"`;
  return new DashboardBuilder(options.title)
    .uid(options.uid)
    .description(options.description)
    .tags(["buildfarm", "buildkit"])
    .editable()
    .refresh("1m")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus"))
    .withVariable(
      new QueryVariableBuilder("environment")
        .label("Environment")
        .datasource(PROMETHEUS_DS)
        .query(`label_values(up{job="buildkitd"}, environment)`)
        .refresh(VariableRefresh.OnDashboardLoad)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue(".*"),
    )
    .withVariable(
      new QueryVariableBuilder("builder")
        .label("Builder")
        .datasource(PROMETHEUS_DS)
        .query(`label_values(up{job="buildkitd", environment=~"$environment"${roleMatcher}}, builder)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue(".*"),
    );
}

/** A Prometheus range query with a legend. */
export function query(expr: string, legend: string, refId: string): cog.Builder<cog.Dataquery> {
  return new DataqueryBuilder().datasource(PROMETHEUS_DS).expr(expr).legendFormat(legend).refId(refId);
}

const REF_IDS = "ABCDEFGHIJ";

export function timeseries(title: string, unit: string, queries: ReadonlyArray<[expr: string, legend: string]>, width = 12): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder().title(title).unit(unit).datasource(PROMETHEUS_DS).height(8).span(width).lineWidth(1).fillOpacity(10);
  queries.forEach(([expr, legend], i) => panel.withTarget(query(expr, legend, REF_IDS[i] ?? `Q${i}`)));
  return panel;
}

export function stat(title: string, unit: string, expr: string, width = 6): StatPanelBuilder {
  return new StatPanelBuilder().title(title).unit(unit).datasource(PROMETHEUS_DS).height(4).span(width).withTarget(query(expr, title, "A"));
}
