import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { farmDashboard, SELECTOR, stat, timeseries } from "./common";

export function pluginsDashboard(): DashboardBuilder {
  return farmDashboard({ uid: "buildfarm-plugins", title: "Build farm / Docker CLI plugins", description: "Docker CLI plugin health from PluginSet's textfile metrics (docker_cli_plugin_info, docker_cli_plugins_invalid)." })
    .withRow(new RowBuilder("Plugins"))
    .withPanel(stat("Invalid plugins", "short", `sum(docker_cli_plugins_invalid{${SELECTOR}})`))
    .withPanel(stat("Hosts reporting", "short", `count(docker_cli_plugins_invalid{${SELECTOR}})`))
    .withPanel(stat("Textfile collector errors", "short", `sum(node_textfile_scrape_error{${SELECTOR}})`))
    .withPanel(stat("Plugin versions in use", "short", `count(count by (name, version) (docker_cli_plugin_info{${SELECTOR}}))`))
    .withPanel(timeseries("Invalid plugins per builder", "short", [[`docker_cli_plugins_invalid{${SELECTOR}}`, "{{builder}}"]]))
    .withPanel(timeseries("Plugins by name, version and status", "short", [[`count by (name, version, status) (docker_cli_plugin_info{${SELECTOR}})`, "{{name}} {{version}} {{status}}"]]));
}
