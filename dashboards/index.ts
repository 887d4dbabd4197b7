import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { Artifact } from "../lib/artifacts";
import { buildOverviewDashboard } from "./build-overview";
import { cachePerformanceDashboard } from "./cache-performance";
import { pluginsDashboard } from "./plugins";
import { productionBuilderDashboard } from "./production-builder";
import { resourcesDashboard } from "./resources";

export { PROMETHEUS_DS, SELECTOR } from "./common";

/** A dashboard rendered to the JSON Grafana stores (stable uid, no id, no version). */
export interface RenderedDashboard {
  readonly uid: string;
  readonly title: string;
  /** File name under `dashboards/` in plan artifacts. */
  readonly file: string;
  readonly json: string;
}

const BUILDERS: ReadonlyArray<[file: string, build: () => DashboardBuilder]> = [
  ["build-overview", buildOverviewDashboard],
  ["cache-performance", cachePerformanceDashboard],
  ["resources", resourcesDashboard],
  ["production-builder", productionBuilderDashboard],
  ["plugins", pluginsDashboard],
];

/** Every farm dashboard, in a fixed order, as deterministic JSON. */
export function renderDashboards(): RenderedDashboard[] {
  return BUILDERS.map(([file, build]) => {
    const dashboard = build().build();
    if (dashboard.uid === undefined) throw new Error(`dashboard ${file} has no uid`);
    return { uid: dashboard.uid, title: dashboard.title ?? file, file: `${file}.json`, json: `${JSON.stringify(dashboard, null, 2)}\n` };
  });
}

/** Dashboards as plan artifacts: `dashboards/<name>.json`. */
export function dashboardArtifacts(dashboards: readonly RenderedDashboard[] = renderDashboards()): Artifact[] {
  return dashboards.map((d) => ({ path: `dashboards/${d.file}`, content: d.json }));
}
