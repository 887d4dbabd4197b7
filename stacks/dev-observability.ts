import * as command from "@pulumi/command";
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { TlsMaterial } from "../components/buildkit-host";
import { connectionSchema } from "../components/common/connection";
import type { DockerPlacement } from "../components/dev-farm";
import { MonitoringStack } from "../components/monitoring";
import { BUILDX_TLS_FILES, PluginSet, buildxClientFilesCommand } from "../components/plugin-set";
import type { StackConfig } from "../config/schema";
import type { Artifact } from "../lib/artifacts";
import type { StackOutputs } from "./outputs";
import { monitoringOutputs } from "./monitoring-outputs";
import { pluginArtifacts, pluginInventoryEntry } from "./plugin-inventory";

export interface DevObservabilityArgs {
  readonly provider: docker.Provider;
  readonly network: docker.Network;
  readonly placement: DockerPlacement;
  /** Host clients use for published ports. */
  readonly clientHost: string;
  /** The dev builder, for `docker buildx create --driver remote` on this machine and for Prometheus. */
  readonly builder: { readonly name: string; readonly endpoint: string; readonly serverName: string; readonly tls: TlsMaterial; readonly metricsAddress: string; readonly exporterAddress: string };
  readonly dependsOn: pulumi.Resource[];
}

type ObservabilityOutputs = Pick<StackOutputs, "prometheusUrl" | "alertmanagerUrl" | "grafanaUrl" | "grafanaAdminPassword" | "grafanaDashboards" | "pluginInventory" | "prodGate">;

/**
 * PluginSet on this machine (audit only when `plugins.enabled` is false), with buildx pointed at the dev builder
 * through client files written first.
 */
function localPlugins(config: StackConfig, args: DevObservabilityArgs): { inventory: ObservabilityOutputs["pluginInventory"]; artifacts: Artifact[] } {
  const dir = `${config.plugins.stateDir}/buildx-tls`;
  const configureBuildx = config.plugins.enabled && config.plugins.configureBuildx;
  const files = configureBuildx
    ? new command.local.Command("dev-buildx-client-files", {
      // The key is written 0600 explicitly, also when an older file was 0644 (plugin-buildx-tls.sh).
      ...buildxClientFilesCommand(dir),
      environment: { CA: args.builder.tls.caCertPem, CERT: args.builder.tls.clientCertPem, KEY: pulumi.secret(args.builder.tls.clientKeyPem) },
    }, { dependsOn: args.dependsOn })
    : undefined;
  const plugins = new PluginSet("dev-plugins", {
    hostName: "local",
    access: { connection: connectionSchema.parse({ type: "local" }) },
    settings: config.plugins,
    ...(configureBuildx
      ? { buildxEndpoint: { endpoint: args.builder.endpoint, serverName: args.builder.serverName, caPath: `${dir}/${BUILDX_TLS_FILES.ca}`, certPath: `${dir}/${BUILDX_TLS_FILES.cert}`, keyPath: `${dir}/${BUILDX_TLS_FILES.key}` } }
      : {}),
    dependsOn: files ? [files] : args.dependsOn,
  });
  return { inventory: pulumi.all([pluginInventoryEntry("local", plugins, config.plugins)]), artifacts: pluginArtifacts("local", plugins) };
}

/** MonitoringStack's containers (on the farm's network) and PluginSet on this machine, wired into the dev farm. */
export function devObservability(config: StackConfig, args: DevObservabilityArgs): { outputs: ObservabilityOutputs; artifacts: Artifact[] } {
  const selfHosted = config.monitoring.mode === "self-hosted";
  const grafanaAdminPassword = selfHosted ? new random.RandomPassword("dev-grafana-admin-password", { length: 32, special: false }).result : undefined;
  const monitoring = new MonitoringStack("dev-monitoring", {
    // One knob for every published port of the dev host: docker.bindAddress.
    settings: { ...config.monitoring, bindAddress: config.docker.bindAddress },
    environment: "dev",
    targets: [{ builder: args.builder.name, role: "shared", metricsAddress: args.builder.metricsAddress, exporterAddress: args.builder.exporterAddress }],
    ...(selfHosted ? { docker: { provider: args.provider, networkName: args.network.name, namePrefix: args.placement.namePrefix, publishedHost: args.clientHost } } : {}),
    ...(grafanaAdminPassword ? { grafanaAdminPassword } : {}),
  }, { dependsOn: args.dependsOn });
  const plugins = localPlugins(config, args);
  return {
    outputs: {
      ...monitoringOutputs(monitoring, grafanaAdminPassword),
      pluginInventory: plugins.inventory,
      prodGate: null,
    },
    artifacts: [...monitoring.artifacts, ...plugins.artifacts],
  };
}
