import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { monitoringSchema, type MonitoringInput, type MonitoringTarget } from "../../../components/monitoring/args";
import { renderMonitoring } from "../../../components/monitoring/render-stack";
import { SLACK_URL_FILE } from "../../../components/monitoring/render-alertmanager";

const TARGETS: MonitoringTarget[] = [
  { builder: "builder-2", role: "shared", metricsAddress: "builder-2.build.internal:6060", exporterAddress: "builder-2.build.internal:9465", nodeAddress: "builder-2.build.internal:9100" },
  { builder: "builder-1", role: "shared", metricsAddress: "builder-1.build.internal:6060", exporterAddress: "builder-1.build.internal:9465", nodeAddress: "builder-1.build.internal:9100" },
  { builder: "prod-1", role: "prod", metricsAddress: "prod-1.build.internal:6060", exporterAddress: "prod-1.build.internal:9465" },
];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function render(input: MonitoringInput, hasSlackSecret = false) {
  return renderMonitoring({ settings: monitoringSchema.parse(input), environment: "prod", targets: TARGETS, hasSlackSecret, kubernetesNamespace: "buildkit" });
}

/** Writes the artifacts into a fresh folder, as `plan` does, and returns it. */
function writeArtifacts(artifacts: ReadonlyArray<{ path: string; content: unknown }>): string {
  const dir = mkdtempSync(join(tmpdir(), "monitoring-render-"));
  dirs.push(dir);
  for (const a of artifacts) {
    mkdirSync(dirname(join(dir, a.path)), { recursive: true });
    writeFileSync(join(dir, a.path), String(a.content));
  }
  return dir;
}

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" });

describe("rendered Prometheus config", () => {
  for (const mode of ["self-hosted", "existing"] as const) {
    it(`passes promtool check config with its rule files next to it (${mode})`, () => {
      const rendered = render(mode === "existing" ? { mode, prometheusUrl: "https://prom.example", grafanaUrl: "https://grafana.example" } : { mode });
      const dir = writeArtifacts(rendered.artifacts);
      const result = run("promtool", ["check", "config", join(dir, "monitoring/prometheus.yml")]);
      expect(result.stdout + result.stderr).toContain("SUCCESS: 4 rule files found");
      expect(result.status).toBe(0);
    });
  }

  it("labels every target with environment, builder and role, one static config per builder", () => {
    const config = parse(render({ mode: "self-hosted" }).prometheusConfig) as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[]; labels: Record<string, string> }> }>; alerting: unknown };
    const jobs = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j.static_configs]));
    expect(jobs.buildkitd).toEqual([
      { targets: ["builder-1.build.internal:6060"], labels: { builder: "builder-1", environment: "prod", role: "shared" } },
      { targets: ["builder-2.build.internal:6060"], labels: { builder: "builder-2", environment: "prod", role: "shared" } },
      { targets: ["prod-1.build.internal:6060"], labels: { builder: "prod-1", environment: "prod", role: "prod" } },
    ]);
    expect(jobs["buildkit-insights"]?.map((s) => s.targets[0])).toEqual(["builder-1.build.internal:9465", "builder-2.build.internal:9465", "prod-1.build.internal:9465"]);
    expect(jobs.node?.map((s) => s.targets[0])).toEqual(["builder-1.build.internal:9100", "builder-2.build.internal:9100", "node-exporter:9100"]);
    expect(config.alerting).toEqual({ alertmanagers: [{ static_configs: [{ targets: ["alertmanager:9093"] }] }] });
  });

  it("is byte-identical for the same input", () => {
    expect(render({}).artifacts).toEqual(render({}).artifacts);
  });

  it("fails promtool when a referenced rule file is missing (the check can fail)", () => {
    const rendered = render({});
    const dir = writeArtifacts(rendered.artifacts.filter((a) => !a.path.endsWith("buildfarm-cache.yml")));
    expect(run("promtool", ["check", "config", join(dir, "monitoring/prometheus.yml")]).status).toBe(1);
  });
});

describe("rendered Alertmanager config", () => {
  it("passes amtool check-config with a webhook and a Slack receiver whose URL stays in a file", () => {
    const rendered = render({ alerting: { webhookUrl: "https://alerts.example/hook", slackChannel: "#builds" } }, true);
    const dir = writeArtifacts(rendered.artifacts);
    const result = run("amtool", ["check-config", join(dir, "monitoring/alertmanager.yml")]);
    expect(result.stdout).toContain("SUCCESS");
    expect(result.status).toBe(0);
    const config = parse(rendered.alertmanager?.config ?? "") as { receivers: Array<{ name: string; slack_configs?: Array<Record<string, unknown>>; webhook_configs?: unknown[] }>; route: { routes: unknown[] } };
    expect(config.receivers.map((r) => r.name)).toEqual(["buildfarm-critical", "buildfarm-default"]);
    expect(config.receivers[0]?.slack_configs?.[0]).toMatchObject({ api_url_file: SLACK_URL_FILE, channel: "#builds" });
    expect(config.receivers[0]?.slack_configs?.[0]).not.toHaveProperty("api_url");
    expect(config.route.routes).toEqual([{ receiver: "buildfarm-critical", matchers: ['severity="critical"'], group_wait: "10s", repeat_interval: "1h" }]);
    expect(rendered.alertmanager?.hasRoute).toBe(true);
  });

  it("passes amtool without any route configured, and says it has none", () => {
    const rendered = render({});
    const dir = writeArtifacts(rendered.artifacts);
    expect(run("amtool", ["check-config", join(dir, "monitoring/alertmanager.yml")]).status).toBe(0);
    expect(rendered.alertmanager?.hasRoute).toBe(false);
  });

  it("is not rendered when Grafana does the alerting", () => {
    const rendered = render({ alerting: { via: "grafana", webhookUrl: "https://alerts.example/hook" } });
    expect(rendered.alertmanager).toBeUndefined();
    expect(rendered.artifacts.map((a) => a.path)).not.toContain("monitoring/alertmanager.yml");
  });
});

describe("rendered Kubernetes monitoring", () => {
  it("has a ServiceMonitor per job that sets job, builder, role and environment, and a PrometheusRule with every alert", () => {
    const rendered = render({});
    const docs = rendered.kubernetesManifest.split(/^---$/m).map((d) => parse(d) as { kind: string; metadata: { name: string }; spec: any });
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      "ServiceMonitor/buildfarm-buildkitd",
      "ServiceMonitor/buildfarm-buildkit-insights",
      "ServiceMonitor/buildfarm-node",
      "PrometheusRule/buildfarm-alerts",
    ]);
    const relabel = docs[0]?.spec.endpoints[0].relabelings as Array<Record<string, unknown>>;
    expect(relabel.map((r) => r.targetLabel)).toEqual(["job", "builder", "role", "environment"]);
    expect(relabel[2]?.sourceLabels).toEqual(["__meta_kubernetes_service_label_buildfarm_dev_role"]);
    const entries = (docs[3]?.spec.groups as Array<{ rules: Array<{ alert?: string; record?: string }> }>).flatMap((g) => g.rules);
    expect(entries.flatMap((r) => (r.alert === undefined ? [] : [r.alert])).sort()).toEqual(rendered.ruleNames);
    expect(entries.flatMap((r) => (r.record === undefined ? [] : [r.record]))).toEqual(["buildfarm:cache_user_hit_ratio:rate1h"]);
  });
});

describe("plan artifacts", () => {
  it("lists the Prometheus config, rule files, Alertmanager config, Kubernetes manifest and dashboards", () => {
    expect(render({}).artifacts.map((a) => a.path)).toEqual([
      "monitoring/prometheus.yml",
      "monitoring/rules/buildfarm-availability.yml",
      "monitoring/rules/buildfarm-builds.yml",
      "monitoring/rules/buildfarm-cache.yml",
      "monitoring/rules/buildfarm-hosts.yml",
      "monitoring/alertmanager.yml",
      "monitoring/kubernetes.yaml",
      "dashboards/build-overview.json",
      "dashboards/cache-performance.json",
      "dashboards/resources.json",
      "dashboards/production-builder.json",
      "dashboards/plugins.json",
    ]);
  });
});
