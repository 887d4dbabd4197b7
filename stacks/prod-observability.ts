import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { BuildkitHostSettings } from "../components/buildkit-host";
import { MonitoringStack, type MonitoringTarget } from "../components/monitoring";
import type { ProductionMonitoring } from "../components/production-builder";
import type { StackConfig } from "../config/schema";
import type { Artifact } from "../lib/artifacts";
import { monitoringOutputs, type MonitoringOutputs } from "./monitoring-outputs";
import { scrapeAddress } from "../components/common/scrape-address";

/** node_exporter's port on builder hosts (Debian's prometheus-node-exporter; PluginSet writes its textfile metrics). */
export const NODE_EXPORTER_PORT = 9100;

export interface ProdObservabilityArgs {
  readonly pool: readonly BuildkitHostSettings[];
  readonly production: ProductionMonitoring;
}


/** Scrape targets: each pool host's daemon, exporter and node_exporter; the production builder's own targets. */
export function prodTargets(pool: readonly BuildkitHostSettings[], production: ProductionMonitoring): MonitoringTarget[] {
  const shared = pool.map((host) => ({
    builder: host.name,
    role: "shared" as const,
    metricsAddress: scrapeAddress(host.connection, host.buildkitd.grpc.debugAddress),
    exporterAddress: scrapeAddress(host.connection, host.insightsExporter.listenAddress),
    ...(host.connection.type === "ssh" ? { nodeAddress: `${host.connection.host}:${NODE_EXPORTER_PORT}` } : {}),
  }));
  const byHost = new Map<string, { metricsAddress?: string; exporterAddress?: string }>();
  for (const target of production.targets) {
    const host = target.labels.host ?? target.address;
    const entry = byHost.get(host) ?? {};
    if (target.job === "buildkitd") entry.metricsAddress = target.address;
    else entry.exporterAddress = target.address;
    byHost.set(host, entry);
  }
  const prod = [...byHost.entries()].flatMap(([builder, entry]) =>
    entry.metricsAddress === undefined ? [] : [{ builder, role: "prod" as const, metricsAddress: entry.metricsAddress, ...(entry.exporterAddress ? { exporterAddress: entry.exporterAddress } : {}) }]);
  return [...shared, ...prod];
}

/**
 * MonitoringStack against the existing Prometheus/Grafana, or self-hosted on `buildfarm:docker.host`
 * (a monitoring machine), per `buildfarm:monitoring.mode`.
 */
export function prodObservability(config: StackConfig, args: ProdObservabilityArgs): { outputs: MonitoringOutputs; artifacts: Artifact[] } {
  let dockerArgs: { provider: docker.Provider; networkName: pulumi.Input<string> } | undefined;
  let grafanaAdminPassword: pulumi.Output<string> | undefined;
  if (config.monitoring.mode === "self-hosted") {
    grafanaAdminPassword = new random.RandomPassword("prod-grafana-admin-password", { length: 32, special: false }).result;
    const provider = new docker.Provider("prod-monitoring-docker", { host: config.docker.host });
    const network = new docker.Network("prod-monitoring-network", { name: "buildfarm-monitoring", driver: "bridge", labels: [{ label: "org.buildfarm.stack", value: "prod" }] }, { provider });
    dockerArgs = { provider, networkName: network.name };
  }
  const monitoring = new MonitoringStack("prod-monitoring", {
    settings: { ...config.monitoring, bindAddress: config.docker.bindAddress },
    environment: "prod",
    targets: prodTargets(args.pool, args.production),
    ...(dockerArgs ? { docker: dockerArgs } : {}),
    ...(grafanaAdminPassword ? { grafanaAdminPassword } : {}),
  });
  return {
    outputs: monitoringOutputs(monitoring, grafanaAdminPassword),
    artifacts: monitoring.artifacts,
  };
}
