import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { farmDashboard, SELECTOR, timeseries } from "./common";

/** Host (node_exporter) and buildkitd process resources for a selector. */
export function resourcePanels(dashboard: DashboardBuilder, selector: string): DashboardBuilder {
  const node = `job="node",${selector}`;
  return dashboard
    .withRow(new RowBuilder("CPU and memory"))
    .withPanel(timeseries("CPU busy per builder", "percentunit", [[`1 - avg by (builder) (rate(node_cpu_seconds_total{mode="idle",${node}}[$__rate_interval]))`, "{{builder}}"]]))
    .withPanel(
      timeseries("CPU and memory pressure (PSI, share of time waiting)", "percentunit", [
        [`rate(node_pressure_cpu_waiting_seconds_total{${node}}[$__rate_interval])`, "cpu {{builder}}"],
        [`rate(node_pressure_memory_waiting_seconds_total{${node}}[$__rate_interval])`, "memory {{builder}}"],
        [`rate(node_pressure_io_waiting_seconds_total{${node}}[$__rate_interval])`, "io {{builder}}"],
      ]),
    )
    .withPanel(timeseries("Memory used per builder", "percentunit", [[`1 - node_memory_MemAvailable_bytes{${node}} / node_memory_MemTotal_bytes{${node}}`, "{{builder}}"]]))
    .withPanel(
      timeseries("buildkitd process", "bytes", [
        [`process_resident_memory_bytes{job="buildkitd",${selector}}`, "buildkitd RSS {{builder}}"],
        [`process_resident_memory_bytes{job="buildkit-insights",${selector}}`, "exporter RSS {{builder}}"],
      ]),
    )
    .withRow(new RowBuilder("IO and network"))
    .withPanel(
      timeseries("Disk IO per builder", "Bps", [
        [`sum by (builder) (rate(node_disk_read_bytes_total{${node}}[$__rate_interval]))`, "read {{builder}}"],
        [`sum by (builder) (rate(node_disk_written_bytes_total{${node}}[$__rate_interval]))`, "write {{builder}}"],
      ]),
    )
    .withPanel(
      timeseries("Network per builder", "Bps", [
        [`sum by (builder) (rate(node_network_receive_bytes_total{device!="lo",${node}}[$__rate_interval]))`, "rx {{builder}}"],
        [`sum by (builder) (rate(node_network_transmit_bytes_total{device!="lo",${node}}[$__rate_interval]))`, "tx {{builder}}"],
      ]),
    )
    .withPanel(timeseries("Filesystem free", "percentunit", [[`node_filesystem_avail_bytes{fstype!~"tmpfs|overlay",${node}} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay",${node}}`, "{{builder}} {{mountpoint}}"]]))
    .withPanel(timeseries("buildkitd CPU", "percentunit", [[`rate(process_cpu_seconds_total{job="buildkitd",${selector}}[$__rate_interval])`, "{{builder}}"]]));
}

export function resourcesDashboard(): DashboardBuilder {
  const dashboard = farmDashboard({ uid: "buildfarm-resources", title: "Build farm / Resources", description: "CPU, memory, pressure, IO and network per builder (node_exporter and buildkitd process metrics)." });
  return resourcePanels(dashboard, SELECTOR);
}
