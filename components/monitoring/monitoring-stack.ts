import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as grafana from "@pulumiverse/grafana";
import type { Artifact } from "../../lib/artifacts";
import type { ProductionThresholds } from "./alert-rules";
import type { MonitoringSettings, MonitoringTarget } from "./args";
import { grafanaRuleGroups } from "./render-grafana-alerting";
import { RECEIVERS } from "./render-alertmanager";
import { NATIVE_HISTOGRAMS_FLAG } from "./render-prometheus";
import { MONITORING_HOSTS, MONITORING_PORTS, renderMonitoring } from "./render-stack";
import { createSelfHostedContainers } from "./self-hosted";

export const MONITORING_STACK_TYPE = "buildfarm:index:MonitoringStack";

/** Stable uid of the Prometheus datasource the dashboards and Grafana rules use. */
export const PROMETHEUS_DATASOURCE_UID = "buildfarm-prometheus";
export const DASHBOARD_FOLDER_UID = "buildfarm";

export interface MonitoringStackArgs {
  /** Resolved `monitoringSchema` output. */
  readonly settings: MonitoringSettings;
  readonly environment: "dev" | "prod";
  /** What Prometheus scrapes, one entry per builder. */
  readonly targets: readonly MonitoringTarget[];
  /** Self-hosted mode: the Docker host and the private network the builders are on. */
  readonly docker?: {
    readonly provider: docker.Provider;
    readonly networkName: pulumi.Input<string>;
    /** Container name prefix. @default "buildfarm" */
    readonly namePrefix?: string;
    /** Host the Pulumi program reaches published ports on. @default settings.bindAddress */
    readonly publishedHost?: string;
  };
  /** Self-hosted Grafana admin password (secret). @default - generated */
  readonly grafanaAdminPassword?: pulumi.Input<string>;
  /** Existing mode: Grafana credentials, "user:password" or a service-account token (secret). @default - the provider's GRAFANA_AUTH */
  readonly grafanaAuth?: pulumi.Input<string>;
  /** Slack incoming-webhook URL (secret); used with `alerting.slackChannel`. */
  readonly slackWebhookUrl?: pulumi.Input<string>;
  /** Namespace for the rendered Kubernetes ServiceMonitors. @default "buildkit" */
  readonly kubernetesNamespace?: string;
  /** ProductionBuilder's stricter `monitoring` thresholds for role="prod". @default - from settings.thresholds */
  readonly production?: ProductionThresholds;
}

export interface MonitoringDashboard {
  readonly uid: string;
  readonly title: string;
  readonly url: string;
}

/** Prometheus scraping, alert rules and routing, and Grafana dashboards for the farm. */
export class MonitoringStack extends pulumi.ComponentResource {
  readonly artifacts: Artifact[];
  readonly ruleNames: string[];
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string | null;
  readonly grafanaUrl: string;
  readonly dashboards: MonitoringDashboard[];

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const { settings } = args;
    const selfHosted = settings.mode === "self-hosted";
    if (selfHosted && args.docker === undefined) throw new Error('buildfarm:monitoring.mode: "self-hosted" needs a Docker host (the stack passes docker.provider and its network)');
    if (!selfHosted && (settings.prometheusUrl === undefined || settings.grafanaUrl === undefined)) {
      throw new Error('buildfarm:monitoring.prometheusUrl: expected prometheusUrl and grafanaUrl when monitoring.mode is "existing"');
    }
    const rendered = renderMonitoring({
      settings,
      environment: args.environment,
      targets: args.targets,
      hasSlackSecret: args.slackWebhookUrl !== undefined,
      kubernetesNamespace: args.kubernetesNamespace ?? "buildkit",
      ...(args.production !== undefined ? { production: args.production } : {}),
    });
    const alertRoutes = rendered.alertmanager?.hasRoute || (settings.alerting.via === "grafana" && hasGrafanaRoute(settings, args)) ? [RECEIVERS.default, RECEIVERS.critical] : [];
    // Non-secret, resolved settings become the component's props for the policy pack.
    super(
      MONITORING_STACK_TYPE,
      name,
      {
        mode: settings.mode,
        environment: args.environment,
        settings,
        targets: args.targets.map((t) => ({ ...t })),
        ruleNames: rendered.ruleNames,
        productionThresholds: args.production ?? null,
        ruleFiles: rendered.ruleFiles.map((f) => f.path),
        prometheusConfig: rendered.prometheusConfig,
        prometheusFlags: selfHosted ? [NATIVE_HISTOGRAMS_FLAG] : [],
        alerting: { via: settings.alerting.via, routes: alertRoutes, hasRoute: alertRoutes.length > 0 },
        dashboardUids: rendered.dashboards.map((d) => d.uid),
      },
      opts,
    );
    this.artifacts = rendered.artifacts;
    this.ruleNames = rendered.ruleNames;

    const host = args.docker?.publishedHost ?? settings.bindAddress;
    let grafanaUrl: string;
    let prometheusUrlForGrafana: string;
    let grafanaAuth: pulumi.Input<string> | undefined = args.grafanaAuth;
    const grafanaDependsOn: pulumi.Resource[] = [];
    if (selfHosted && args.docker) {
      const password = args.grafanaAdminPassword ?? new random.RandomPassword(`${name}-grafana-admin-password`, { length: 32, special: false }, { parent: this }).result;
      const containers = createSelfHostedContainers(name, {
        settings,
        rendered,
        provider: args.docker.provider,
        networkName: args.docker.networkName,
        namePrefix: args.docker.namePrefix ?? "buildfarm",
        grafanaAdminPassword: password,
        ...(args.slackWebhookUrl !== undefined ? { slackWebhookUrl: args.slackWebhookUrl } : {}),
      }, this);
      grafanaDependsOn.push(containers.grafana);
      grafanaUrl = `http://${host}:${settings.ports.grafana}`;
      this.prometheusUrl = `http://${host}:${settings.ports.prometheus}`;
      this.alertmanagerUrl = containers.alertmanager ? `http://${host}:${settings.ports.alertmanager}` : null;
      prometheusUrlForGrafana = `http://${MONITORING_HOSTS.prometheus}:${MONITORING_PORTS.prometheus}`;
      grafanaAuth = pulumi.secret(pulumi.interpolate`admin:${password}`);
    } else {
      grafanaUrl = settings.grafanaUrl ?? "";
      this.prometheusUrl = settings.prometheusUrl ?? "";
      this.alertmanagerUrl = null;
      prometheusUrlForGrafana = this.prometheusUrl;
    }
    this.grafanaUrl = grafanaUrl;

    const provider = new grafana.Provider(`${name}-grafana`, { url: grafanaUrl, ...(grafanaAuth !== undefined ? { auth: grafanaAuth } : {}) }, { parent: this, dependsOn: grafanaDependsOn });
    const gOpts: pulumi.CustomResourceOptions = { parent: this, provider };
    const folder = new grafana.oss.Folder(`${name}-folder`, { uid: DASHBOARD_FOLDER_UID, title: "Build farm" }, gOpts);
    const datasource = new grafana.oss.DataSource(`${name}-prometheus`, {
      uid: PROMETHEUS_DATASOURCE_UID,
      name: "Build farm Prometheus",
      type: "prometheus",
      url: prometheusUrlForGrafana,
      accessMode: "proxy",
      // Never take the default away from an existing Grafana's own data sources.
      isDefault: settings.mode === "self-hosted",
      jsonDataEncoded: JSON.stringify({ httpMethod: "POST", timeInterval: settings.scrapeInterval }),
    }, gOpts);
    for (const dashboard of rendered.dashboards) {
      new grafana.oss.Dashboard(`${name}-dashboard-${dashboard.uid}`, { folder: folder.uid, configJson: dashboard.json, overwrite: true }, { ...gOpts, dependsOn: [datasource] });
    }
    this.dashboards = rendered.dashboards.map((d) => ({ uid: d.uid, title: d.title, url: `${grafanaUrl.replace(/\/$/, "")}/d/${d.uid}` }));

    if (settings.alerting.via === "grafana") this.grafanaAlerting(name, args, gOpts, folder, rendered.rules);

    this.registerOutputs({ prometheusUrl: this.prometheusUrl, alertmanagerUrl: this.alertmanagerUrl, grafanaUrl, dashboards: this.dashboards, ruleNames: this.ruleNames });
  }

  /** Grafana-managed alerting: the same rules, a contact point and a notification policy. */
  private grafanaAlerting(name: string, args: MonitoringStackArgs, opts: pulumi.CustomResourceOptions, folder: grafana.oss.Folder, rules: ReturnType<typeof renderMonitoring>["rules"]): void {
    const { alerting } = args.settings;
    for (const group of grafanaRuleGroups(rules, PROMETHEUS_DATASOURCE_UID)) {
      new grafana.alerting.RuleGroup(`${name}-rules-${group.name}`, { name: group.name, folderUid: folder.uid, intervalSeconds: 60, rules: group.rules }, opts);
    }
    if (!hasGrafanaRoute(args.settings, args)) return;
    const contactPoint = new grafana.alerting.ContactPoint(`${name}-contact-point`, {
      name: RECEIVERS.default,
      ...(alerting.webhookUrl !== undefined ? { webhooks: [{ url: alerting.webhookUrl }] } : {}),
      ...(alerting.slackChannel !== undefined && args.slackWebhookUrl !== undefined
        ? { slacks: [{ url: pulumi.secret(args.slackWebhookUrl), recipient: alerting.slackChannel, title: '{{ .CommonLabels.alertname }} ({{ .CommonLabels.builder }})' }] }
        : {}),
    }, opts);
    new grafana.alerting.NotificationPolicy(`${name}-notification-policy`, {
      contactPoint: contactPoint.name,
      groupBies: ["alertname", "environment", "builder"],
      groupWait: "30s",
      groupInterval: "5m",
      repeatInterval: alerting.repeatInterval,
      policies: [{ matchers: [{ label: "severity", match: "=", value: "critical" }], contactPoint: contactPoint.name, groupWait: "10s", repeatInterval: "1h" }],
    }, opts);
  }
}

function hasGrafanaRoute(settings: MonitoringSettings, args: MonitoringStackArgs): boolean {
  return settings.alerting.webhookUrl !== undefined || (settings.alerting.slackChannel !== undefined && args.slackWebhookUrl !== undefined);
}
