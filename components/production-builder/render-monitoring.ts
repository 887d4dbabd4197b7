import type { ProductionBuilderSettings } from "./args";
import { scrapeAddress } from "../common/scrape-address";

/** One Prometheus scrape target of a production builder. */
export interface ProductionTarget {
  readonly job: "buildkitd" | "buildkit-insights";
  /** host:port Prometheus scrapes. */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** What MonitoringStack needs to watch the production builder separately (plain data). */
export interface ProductionMonitoring {
  readonly role: "prod";
  readonly targets: readonly ProductionTarget[];
  readonly thresholds: ProductionBuilderSettings["monitoring"];
  readonly dashboard: { readonly uid: string; readonly title: string; readonly selector: string };
}

/** The dashboard MonitoringStack provisions for the production builder (dashboards/production-builder.ts). */
export const PRODUCTION_DASHBOARD_UID = "buildfarm-production-builder";

/** Targets (buildkitd /metrics and the insights exporter) labelled role="prod", with the stricter thresholds. */
export function productionMonitoring(settings: ProductionBuilderSettings): ProductionMonitoring {
  const targets: ProductionTarget[] = [];
  for (const host of settings.hosts) {
    const labels = { ...host.labels, role: "prod", host: host.name };
    targets.push({ job: "buildkitd", address: scrapeAddress(host.connection, host.buildkitd.grpc.debugAddress), labels });
    targets.push({ job: "buildkit-insights", address: scrapeAddress(host.connection, host.insightsExporter.listenAddress), labels });
  }
  return {
    role: "prod",
    targets,
    thresholds: settings.monitoring,
    dashboard: { uid: PRODUCTION_DASHBOARD_UID, title: "Build farm / Production builder", selector: '{role="prod"}' },
  };
}
