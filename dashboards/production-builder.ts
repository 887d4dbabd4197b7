import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { buildPanels } from "./build-overview";
import { farmDashboard, SELECTOR, stat, timeseries } from "./common";
import { resourcePanels } from "./resources";

const PROD = 'environment=~"$environment",builder=~"$builder",role="prod"';

export function productionBuilderDashboard(): DashboardBuilder {
  const dashboard = farmDashboard({
    uid: "buildfarm-production-builder",
    title: "Build farm / Production builder",
    description: "The dedicated production builder only: availability, builds, cache and host resources.",
    role: "prod",
  })
    .withRow(new RowBuilder("Availability"))
    .withPanel(stat("Builder up", "short", `min(up{job="buildkitd",${PROD}})`))
    .withPanel(stat("Certificate days left", "d", `min((buildkit_insights_certificate_not_after_seconds{${PROD}} - time()) / 86400)`))
    .withPanel(stat("Cache disk / maxUsedSpace", "percentunit", `max(buildkit_insights_cache_utilization_ratio{${PROD}})`))
    // Aggregated alerts keep only environment and builder (no role): the builder variable is already limited to role="prod".
    .withPanel(stat("Firing alerts", "short", `count(ALERTS{alertstate="firing",${SELECTOR}}) or vector(0)`))
    .withPanel(timeseries("User-step cache hit ratio (1h)", "percentunit", [[`buildfarm:cache_user_hit_ratio:rate1h{${SELECTOR}}`, "{{builder}}"]]));
  return resourcePanels(buildPanels(dashboard, PROD), PROD);
}
