import { stringify } from "yaml";
import { JOBS, type AlertRule } from "./alert-rules";
import { groupRules, promRuleEntries, YAML_OPTIONS } from "./render-rules";

/** Scraping in Kubernetes through the Prometheus Operator: ServiceMonitors plus a PrometheusRule. */
export interface KubernetesMonitoringSettings {
  readonly namespace: string;
  readonly environment: string;
  readonly scrapeInterval: string;
}

/** Service label that carries a builder's role ("prod" | "shared"). */
export const ROLE_SERVICE_LABEL = "buildfarm.dev/role";

/** Service selector and port name per job; the BuildKit Services carry these labels and named ports. */
export const KUBERNETES_ENDPOINTS = [
  { job: JOBS.buildkitd, app: "buildkitd", port: "metrics" },
  { job: JOBS.exporter, app: "buildkitd", port: "insights" },
  { job: JOBS.node, app: "node-exporter", port: "metrics" },
] as const;

const metaLabel = (label: string): string => `__meta_kubernetes_service_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;

export function serviceMonitors(settings: KubernetesMonitoringSettings): Array<Record<string, unknown>> {
  return KUBERNETES_ENDPOINTS.map((endpoint) => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: `buildfarm-${endpoint.job}`, namespace: settings.namespace, labels: { "app.kubernetes.io/part-of": "buildfarm" } },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": endpoint.app } },
      namespaceSelector: { matchNames: [settings.namespace] },
      endpoints: [
        {
          port: endpoint.port,
          path: "/metrics",
          interval: settings.scrapeInterval,
          relabelings: [
            { targetLabel: "job", replacement: endpoint.job },
            { sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "builder" },
            { sourceLabels: [metaLabel(ROLE_SERVICE_LABEL)], targetLabel: "role" },
            { targetLabel: "environment", replacement: settings.environment },
          ],
        },
      ],
    },
  }));
}

export function prometheusRule(settings: KubernetesMonitoringSettings, rules: readonly AlertRule[], evaluationInterval: string): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "buildfarm-alerts", namespace: settings.namespace, labels: { "app.kubernetes.io/part-of": "buildfarm" } },
    spec: {
      groups: [...groupRules(rules).entries()].map(([name, group]) => ({
        name,
        interval: evaluationInterval,
        rules: promRuleEntries(name, group),
      })),
    },
  };
}

/** A multi-document YAML manifest for `kubectl apply -f`. */
export function renderKubernetesMonitoring(settings: KubernetesMonitoringSettings, rules: readonly AlertRule[], evaluationInterval: string): string {
  const docs = [...serviceMonitors(settings), prometheusRule(settings, rules, evaluationInterval)];
  return docs.map((doc) => stringify(doc, YAML_OPTIONS)).join("---\n");
}
