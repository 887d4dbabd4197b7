import * as pulumi from "@pulumi/pulumi";
import type { MonitoringStack } from "../components/monitoring";
import type { StackOutputs } from "./outputs";

export type MonitoringOutputs = Pick<StackOutputs, "prometheusUrl" | "alertmanagerUrl" | "grafanaUrl" | "grafanaAdminPassword" | "grafanaDashboards">;

/** The outputs contract's monitoring part, the same for every stack. */
export function monitoringOutputs(monitoring: MonitoringStack, grafanaAdminPassword: pulumi.Output<string> | undefined): MonitoringOutputs {
  return {
    prometheusUrl: monitoring.prometheusUrl,
    alertmanagerUrl: monitoring.alertmanagerUrl,
    grafanaUrl: monitoring.grafanaUrl,
    grafanaAdminPassword: pulumi.secret(grafanaAdminPassword ?? null),
    grafanaDashboards: monitoring.dashboards,
  };
}
