import type { Artifact } from "../../lib/artifacts";
import { dashboardArtifacts, renderDashboards, type RenderedDashboard } from "../../dashboards";
import { alertRules, type AlertRule, type ProductionThresholds } from "./alert-rules";
import type { MonitoringSettings, MonitoringTarget } from "./args";
import { hasAlertRoute, renderAlertmanagerConfig, SLACK_URL_FILE, type AlertmanagerSettings } from "./render-alertmanager";
import { renderKubernetesMonitoring } from "./render-kubernetes";
import { renderPrometheusConfig, type PrometheusFlavor } from "./render-prometheus";
import { renderRuleFiles, ruleFilePaths } from "./render-rules";

/** Container DNS names on the private network (self-hosted mode). */
export const MONITORING_HOSTS = { prometheus: "prometheus", alertmanager: "alertmanager", grafana: "grafana", nodeExporter: "node-exporter" } as const;

/** Internal ports of the self-hosted services. */
export const MONITORING_PORTS = { prometheus: 9090, alertmanager: 9093, grafana: 3000, nodeExporter: 9100 } as const;

export interface MonitoringRenderInput {
  readonly settings: MonitoringSettings;
  readonly environment: string;
  readonly targets: readonly MonitoringTarget[];
  /** A Slack webhook URL secret exists (its value never reaches this renderer). */
  readonly hasSlackSecret: boolean;
  /** Namespace of the Kubernetes flavour (ServiceMonitors + PrometheusRule). */
  readonly kubernetesNamespace: string;
  /** Stricter limits for role="prod" builders. @default - derived from settings.thresholds */
  readonly production?: ProductionThresholds;
}

/** Everything MonitoringStack renders, before any resource exists. */
export interface RenderedMonitoring {
  readonly rules: AlertRule[];
  readonly ruleNames: string[];
  readonly ruleFiles: Artifact[];
  readonly prometheusConfig: string;
  readonly alertmanager: { readonly settings: AlertmanagerSettings; readonly config: string; readonly hasRoute: boolean } | undefined;
  readonly kubernetesManifest: string;
  readonly dashboards: RenderedDashboard[];
  /** Plan artifacts: monitoring/prometheus.yml, monitoring/rules/*.yml, monitoring/alertmanager.yml, monitoring/kubernetes.yaml, dashboards/*.json. */
  readonly artifacts: Artifact[];
}

export function renderMonitoring(input: MonitoringRenderInput): RenderedMonitoring {
  const { settings } = input;
  const rules = alertRules(settings.thresholds, input.production);
  const ruleFiles = renderRuleFiles(rules, settings.evaluationInterval);
  const selfHosted = settings.mode === "self-hosted";
  const flavor: PrometheusFlavor = selfHosted ? "docker" : "standalone";
  const viaAlertmanager = settings.alerting.via === "alertmanager";
  const alertmanagerSettings: AlertmanagerSettings = {
    repeatInterval: settings.alerting.repeatInterval,
    ...(settings.alerting.webhookUrl !== undefined ? { webhookUrl: settings.alerting.webhookUrl } : {}),
    ...(settings.alerting.slackChannel !== undefined ? { slackChannel: settings.alerting.slackChannel } : {}),
    ...(input.hasSlackSecret ? { slackApiUrlFile: SLACK_URL_FILE } : {}),
  };
  const prometheusConfig = renderPrometheusConfig({
    flavor,
    environment: input.environment,
    scrapeInterval: settings.scrapeInterval,
    evaluationInterval: settings.evaluationInterval,
    targets: input.targets,
    ruleFiles: ruleFilePaths(rules),
    alertmanagers: selfHosted && viaAlertmanager ? [`${MONITORING_HOSTS.alertmanager}:${MONITORING_PORTS.alertmanager}`] : [],
    ...(selfHosted ? { extraNodeTargets: [`${MONITORING_HOSTS.nodeExporter}:${MONITORING_PORTS.nodeExporter}`] } : {}),
  });
  const alertmanager = viaAlertmanager
    ? { settings: alertmanagerSettings, config: renderAlertmanagerConfig(alertmanagerSettings), hasRoute: hasAlertRoute(alertmanagerSettings) }
    : undefined;
  const kubernetesManifest = renderKubernetesMonitoring(
    { namespace: input.kubernetesNamespace, environment: input.environment, scrapeInterval: settings.scrapeInterval },
    rules,
    settings.evaluationInterval,
  );
  const dashboards = renderDashboards();
  const artifacts: Artifact[] = [
    { path: "monitoring/prometheus.yml", content: prometheusConfig },
    ...ruleFiles.map((f) => ({ path: `monitoring/${f.path}`, content: f.content })),
    ...(alertmanager ? [{ path: "monitoring/alertmanager.yml", content: alertmanager.config }] : []),
    { path: "monitoring/kubernetes.yaml", content: kubernetesManifest },
    ...dashboardArtifacts(dashboards),
  ];
  return { rules, ruleNames: rules.map((r) => r.alert).sort(), ruleFiles, prometheusConfig, alertmanager, kubernetesManifest, dashboards, artifacts };
}
