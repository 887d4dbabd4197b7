import * as pulumi from "@pulumi/pulumi";
import * as publicSettings from "@pulumi/pulumi/runtime/settings";
import { describe, expect, it } from "vitest";
import { PINNED_IMAGES } from "../../../lib/versions";
import { monitoringSchema, type MonitoringInput, type MonitoringTarget } from "../../../components/monitoring/args";
import type { MonitoringStackArgs } from "../../../components/monitoring/monitoring-stack";
import { mockCall, mockState } from "../../../lib/plan/mock-state";
import { redactSecretInputs, resolveDeep } from "../../../lib/plan/resolve";

const settings = publicSettings as typeof publicSettings & { _reset(): void; waitForRPCs(): Promise<void> };

const ADMIN_PASSWORD = "grafana-admin-s3cret-value";
const SLACK_URL = "https://hooks.slack.example/services/T000/B000/slack-s3cret";
const TARGETS: MonitoringTarget[] = [
  { builder: "buildkitd", role: "shared", metricsAddress: "buildkitd:6060", exporterAddress: "insights-exporter:9465" },
];

interface Registered {
  type: string;
  name: string;
  props: Record<string, any>;
}

/** Builds one MonitoringStack under mocks and returns its registrations (secrets redacted), artifacts and outputs. */
async function buildStack(input: MonitoringInput, extra: Partial<MonitoringStackArgs> & { withDocker?: boolean } = { withDocker: true }) {
  settings._reset();
  await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: mockState(a) }), call: mockCall }, "buildfarm", "test", false);
  const registered: Registered[] = [];
  const monitor = settings.getMonitor() as unknown as { registerResource(req: any, cb: (err: unknown, res: any) => void): Promise<void> };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    original(req, (err, res) => {
      if (!err && res) registered.push({ type: req.getType(), name: req.getName(), props: redactSecretInputs(req.getObject()?.toJavaScript() ?? {}) as Record<string, any> });
      cb(err, res);
    });
  const docker = await import("@pulumi/docker");
  const { MonitoringStack } = await import("../../../components/monitoring");
  const { withDocker, ...rest } = extra;
  const stack = new MonitoringStack("mon", {
    settings: monitoringSchema.parse(input),
    environment: "dev",
    targets: TARGETS,
    ...(withDocker ? { docker: { provider: new docker.Provider("docker", { host: "unix:///var/run/docker.sock" }), networkName: "buildfarm-dev" } } : {}),
    ...rest,
  });
  const artifacts = await Promise.all(stack.artifacts.map(async (a) => ({ path: a.path, content: String(await resolveDeep(a.content)) })));
  await settings.waitForRPCs();
  return { registered, artifacts, stack };
}

const byType = (registered: Registered[], type: string) => registered.filter((r) => r.type === type);

describe("MonitoringStack (self-hosted)", () => {
  it("runs four pinned, limited, health-checked containers on the private network with ports on 127.0.0.1", async () => {
    const { registered } = await buildStack({ alerting: { webhookUrl: "https://alerts.example/hook" } }, { withDocker: true, grafanaAdminPassword: pulumi.secret(ADMIN_PASSWORD) });
    const containers = byType(registered, "docker:index/container:Container");
    expect(containers.map((c) => c.props.name).sort()).toEqual(["buildfarm-alertmanager", "buildfarm-grafana", "buildfarm-node-exporter", "buildfarm-prometheus"]);
    for (const c of containers) {
      expect(c.props.memory, c.name).toBeGreaterThan(0);
      expect(Number(c.props.cpus), c.name).toBeGreaterThan(0);
      expect(c.props.restart).toBe("unless-stopped");
      expect(c.props.healthcheck.tests[0]).toBe("CMD");
      expect(c.props.networksAdvanced[0].name).toBe("buildfarm-dev");
      for (const port of c.props.ports ?? []) expect(port.ip).toBe("127.0.0.1");
    }
    const images = byType(registered, "docker:index/remoteImage:RemoteImage").map((i) => i.props.name).sort();
    expect(images).toEqual([PINNED_IMAGES.grafana, PINNED_IMAGES.alertmanager, PINNED_IMAGES.nodeExporter, PINNED_IMAGES.prometheus]);
    expect(byType(registered, "docker:index/volume:Volume").map((v) => v.props.name).sort()).toEqual(["buildfarm-alertmanager-data", "buildfarm-grafana-data", "buildfarm-prometheus-data"]);
  });

  it("starts Prometheus with native histograms and uploads the rendered config and every rule file", async () => {
    const { registered, artifacts } = await buildStack({});
    const prometheus = registered.find((r) => r.props.name === "buildfarm-prometheus");
    expect(prometheus?.props.command).toContain("--enable-feature=native-histograms");
    const uploads = Object.fromEntries((prometheus?.props.uploads as Array<{ file: string; content: string }>).map((u) => [u.file, u.content]));
    expect(Object.keys(uploads).sort()).toEqual([
      "/etc/prometheus/prometheus.yml",
      "/etc/prometheus/rules/buildfarm-availability.yml",
      "/etc/prometheus/rules/buildfarm-builds.yml",
      "/etc/prometheus/rules/buildfarm-cache.yml",
      "/etc/prometheus/rules/buildfarm-hosts.yml",
    ]);
    expect(uploads["/etc/prometheus/prometheus.yml"]).toBe(artifacts.find((a) => a.path === "monitoring/prometheus.yml")?.content);
    expect(uploads["/etc/prometheus/prometheus.yml"]).toContain("insights-exporter:9465");
  });

  it("deploys the folder, the Prometheus datasource and all five dashboards through the Grafana provider", async () => {
    const { registered, stack } = await buildStack({});
    expect(byType(registered, "pulumi:providers:grafana")[0]?.props.url).toBe("http://127.0.0.1:3000");
    expect(byType(registered, "grafana:oss/folder:Folder")[0]?.props).toMatchObject({ uid: "buildfarm", title: "Build farm" });
    expect(byType(registered, "grafana:oss/dataSource:DataSource")[0]?.props).toMatchObject({ uid: "buildfarm-prometheus", type: "prometheus", url: "http://prometheus:9090", isDefault: true });
    const dashboards = byType(registered, "grafana:oss/dashboard:Dashboard");
    expect(dashboards.map((d) => JSON.parse(d.props.configJson).uid).sort()).toEqual(stack.dashboards.map((d) => d.uid).sort());
    expect(dashboards).toHaveLength(5);
    expect(stack.dashboards[0]?.url).toBe("http://127.0.0.1:3000/d/buildfarm-build-overview");
  });

  it("exposes the rendered Prometheus config, rule names and alert routes as component props", async () => {
    const { registered, stack } = await buildStack({ alerting: { webhookUrl: "https://alerts.example/hook" } });
    const component = registered.find((r) => r.type === "buildfarm:index:MonitoringStack");
    expect(component?.props.ruleNames).toEqual(stack.ruleNames);
    expect(component?.props.ruleNames).toContain("BuildkitProductionBuildFailures");
    expect(component?.props.prometheusConfig).toContain("job_name: buildkitd");
    expect(component?.props.prometheusFlags).toEqual(["--enable-feature=native-histograms"]);
    expect(component?.props.alerting).toEqual({ via: "alertmanager", routes: ["buildfarm-default", "buildfarm-critical"], hasRoute: true });
  });

  it("renders the production builder's stricter thresholds into the rules when given", async () => {
    const { artifacts, registered } = await buildStack({}, { withDocker: true, production: { buildFailureRatioMax: 0.01, certificateExpiryDays: 45, cacheDiskRatioMax: 0.7 } });
    const hosts = artifacts.find((a) => a.path === "monitoring/rules/buildfarm-hosts.yml")?.content ?? "";
    expect(hosts).toContain('buildkit_insights_certificate_not_after_seconds{role="prod"} - time()) < 45 * 86400');
    expect(artifacts.find((a) => a.path === "monitoring/rules/buildfarm-cache.yml")?.content).toContain('buildkit_insights_cache_utilization_ratio{role="prod"} > 0.7');
    expect(registered.find((r) => r.type === "buildfarm:index:MonitoringStack")?.props.productionThresholds).toEqual({ buildFailureRatioMax: 0.01, certificateExpiryDays: 45, cacheDiskRatioMax: 0.7 });
  });

  it("reports no alert route when none is configured", async () => {
    const { registered } = await buildStack({});
    expect(registered.find((r) => r.type === "buildfarm:index:MonitoringStack")?.props.alerting).toEqual({ via: "alertmanager", routes: [], hasRoute: false });
  });

  it("never shows the Grafana password or the Slack URL in plain text", async () => {
    const { registered, artifacts } = await buildStack(
      { alerting: { slackChannel: "#builds" } },
      { withDocker: true, grafanaAdminPassword: pulumi.secret(ADMIN_PASSWORD), slackWebhookUrl: pulumi.secret(SLACK_URL) },
    );
    const everything = JSON.stringify({ registered, artifacts });
    expect(everything).not.toContain(ADMIN_PASSWORD);
    expect(everything).not.toContain("slack-s3cret");
    const alertmanager = registered.find((r) => r.props.name === "buildfarm-alertmanager");
    expect((alertmanager?.props.uploads as Array<{ file: string }>).map((u) => u.file)).toContain("/etc/alertmanager/secrets/slack-api-url");
    expect(registered.find((r) => r.props.name === "buildfarm-grafana")?.props.envs).toContain("GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana-admin-password");
  });

  it("generates the Grafana admin password when none is given", async () => {
    const { registered } = await buildStack({});
    expect(byType(registered, "random:index/randomPassword:RandomPassword").map((r) => r.name)).toEqual(["mon-grafana-admin-password"]);
  });

  it("refuses self-hosted mode without a Docker host, naming the key", async () => {
    await expect(buildStack({}, { withDocker: false })).rejects.toThrow('buildfarm:monitoring.mode: "self-hosted" needs a Docker host');
  });
});

describe("MonitoringStack (existing endpoints, Grafana-managed alerting)", () => {
  const existing: MonitoringInput = {
    mode: "existing",
    prometheusUrl: "https://prometheus.observability.internal",
    grafanaUrl: "https://grafana.observability.internal",
    alerting: { via: "grafana", webhookUrl: "https://alerts.example/hook" },
  };

  it("creates no containers, points Grafana and its datasource at the given URLs, and renders a standalone config", async () => {
    const { registered, artifacts, stack } = await buildStack(existing, { withDocker: false, grafanaAuth: pulumi.secret("svc-token") });
    expect(registered.filter((r) => r.type.startsWith("docker:"))).toEqual([]);
    expect(byType(registered, "pulumi:providers:grafana")[0]?.props.url).toBe("https://grafana.observability.internal");
    expect(byType(registered, "grafana:oss/dataSource:DataSource")[0]?.props.url).toBe("https://prometheus.observability.internal");
    expect(byType(registered, "grafana:oss/dataSource:DataSource")[0]?.props.isDefault).toBe(false);
    expect(artifacts.map((a) => a.path)).not.toContain("monitoring/alertmanager.yml");
    expect(stack.alertmanagerUrl).toBeNull();
    expect(JSON.stringify(registered)).not.toContain("svc-token");
  });

  it("provisions every alert as a Grafana rule, a contact point and a notification policy with a critical route", async () => {
    const { registered, stack } = await buildStack(existing, { withDocker: false });
    const groups = byType(registered, "grafana:alerting/ruleGroup:RuleGroup");
    const names = groups.flatMap((g) => (g.props.rules as Array<{ name: string }>).map((r) => r.name)).sort();
    expect(names).toEqual(stack.ruleNames);
    const first = (groups[0]?.props.rules as Array<{ datas: Array<{ model: string; datasourceUid: string }> }>)[0];
    expect(first?.datas[0]?.datasourceUid).toBe("buildfarm-prometheus");
    expect(JSON.parse(first?.datas[0]?.model ?? "{}").expr).toMatch(/^\(.+\) \* 0 \+ 1$/);
    expect(byType(registered, "grafana:alerting/contactPoint:ContactPoint")[0]?.props.webhooks).toEqual([{ url: "https://alerts.example/hook" }]);
    const policy = byType(registered, "grafana:alerting/notificationPolicy:NotificationPolicy")[0];
    expect(policy?.props.policies[0]).toMatchObject({ matchers: [{ label: "severity", match: "=", value: "critical" }] });
  });
});
