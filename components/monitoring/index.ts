export { MONITORING_IMAGES, monitoringSchema, type MonitoringInput, type MonitoringSettings, type MonitoringTarget, type MonitoringThresholds } from "./args";
export { alertRules, defaultProductionThresholds, JOBS, type AlertRule, type ProductionThresholds, type Severity } from "./alert-rules";
export { DASHBOARD_FOLDER_UID, MONITORING_STACK_TYPE, MonitoringStack, PROMETHEUS_DATASOURCE_UID, type MonitoringDashboard, type MonitoringStackArgs } from "./monitoring-stack";
export { alertmanagerConfigObject, hasAlertRoute, RECEIVERS, renderAlertmanagerConfig, SLACK_URL_FILE, type AlertmanagerSettings } from "./render-alertmanager";
export { grafanaRule, grafanaRuleGroups, type GrafanaRule } from "./render-grafana-alerting";
export { KUBERNETES_ENDPOINTS, prometheusRule, renderKubernetesMonitoring, ROLE_SERVICE_LABEL, serviceMonitors, type KubernetesMonitoringSettings } from "./render-kubernetes";
export { NATIVE_HISTOGRAMS_FLAG, PROMETHEUS_CONFIG_DIR, prometheusConfigObject, renderPrometheusConfig, type PrometheusConfigSettings, type PrometheusFlavor } from "./render-prometheus";
export { groupRules, renderRuleFiles, renderRuleGroup, ruleFilePaths, RULES_FOLDER, YAML_OPTIONS } from "./render-rules";
export { MONITORING_HOSTS, MONITORING_PORTS, renderMonitoring, type MonitoringRenderInput, type RenderedMonitoring } from "./render-stack";
