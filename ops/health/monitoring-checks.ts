import { parse as parseYaml } from "yaml";
import { JOBS } from "../../components/monitoring";
import type { StackOutputValues } from "../../stacks/outputs";
import { fetchJson, joinUrl } from "../http";
import { PrometheusClient } from "../prometheus-client";
import { fail, pass, StepFailure, type HealthCheck } from "./check";

/** The scrape jobs every builder has, in the monitoring component's names. */
export const BUILDER_JOBS = [JOBS.buildkitd, JOBS.exporter, JOBS.node] as const;

async function step<T>(name: string, remedy: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof StepFailure) throw error;
    throw new StepFailure(name, (error as Error).message, remedy);
  }
}

const PROMETHEUS_UNREACHABLE = "check prometheusUrl is reachable from here (VPN, firewall: buildfarm:monitoring.allowedNetworks)";

/** Every expected target is `up`; each builder job returns samples. */
export function prometheusChecks(outputs: StackOutputValues): HealthCheck[] {
  const prometheus = new PrometheusClient(outputs.prometheusUrl);
  const targets: HealthCheck = {
    component: "prometheus",
    check: "targets up",
    run: async (signal) => {
      const active = await step("GET /api/v1/targets", PROMETHEUS_UNREACHABLE, () => prometheus.targets(signal));
      const problems: string[] = [];
      for (const builder of outputs.builders) {
        for (const job of BUILDER_JOBS) {
          const target = active.find((t) => t.job === job && t.labels.builder === builder.name);
          if (target === undefined) problems.push(`${job}/${builder.name} missing`);
          else if (target.health !== "up") problems.push(`${job}/${builder.name} ${target.health}${target.lastError ? ` (${target.lastError})` : ""}`);
        }
      }
      const expected = outputs.builders.length * BUILDER_JOBS.length;
      if (problems.length === 0) return pass(`${expected}/${expected} up`);
      return fail(`${expected - problems.length}/${expected} up: ${problems.join("; ")}`, "target up", "a missing target means the scrape config lacks the builder (pulumi up); a down one: check the exporter/node_exporter service on that host and the firewall");
    },
  };
  const samples: HealthCheck[] = BUILDER_JOBS.map((job) => ({
    component: "prometheus",
    check: `job ${job} samples`,
    run: async (signal) => {
      const answer = await step(`query count({job="${job}"})`, PROMETHEUS_UNREACHABLE, () => prometheus.query(`count({job="${job}"})`, undefined, signal));
      const count = answer[0]?.value ?? 0;
      return count > 0 ? pass(`${count} series`) : fail("0 series", `query count({job="${job}"})`, `no samples for job ${job}: the targets are not scraped (see "targets up")`);
    },
  }));
  return [targets, ...samples];
}

/** Alertmanager's loaded configuration has a route with a receiver. */
export function alertmanagerCheck(outputs: StackOutputValues): HealthCheck {
  const url = outputs.alertmanagerUrl;
  return {
    component: "alertmanager",
    check: "route",
    run: async (signal) => {
      if (url === null) return pass("alerts route through Grafana-managed alerting");
      const status = (await step("GET /api/v2/status", "check alertmanagerUrl is reachable and Alertmanager runs", () => fetchJson(joinUrl(url, "/api/v2/status"), signal))) as { config?: { original?: string } };
      const config = parseYaml(status.config?.original ?? "") as { route?: { receiver?: string; routes?: unknown[] } } | null;
      const receiver = config?.route?.receiver;
      if (receiver === undefined || receiver === "") return fail("no route", "route with a receiver", "configure buildfarm:monitoring.alerting.webhookUrl or a Slack channel and pulumi up");
      return pass(`route → ${receiver} (+${config?.route?.routes?.length ?? 0} sub-routes)`);
    },
  };
}

/** Authorization for Grafana's API: GRAFANA_TOKEN, else the stack's admin password. */
export function grafanaAuthHeader(outputs: StackOutputValues, env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.GRAFANA_TOKEN) return { authorization: `Bearer ${env.GRAFANA_TOKEN}` };
  if (outputs.grafanaAdminPassword !== null) return { authorization: `Basic ${Buffer.from(`admin:${outputs.grafanaAdminPassword}`).toString("base64")}` };
  return {};
}

/** Grafana serves every dashboard the outputs list. */
export function grafanaCheck(outputs: StackOutputValues, env: NodeJS.ProcessEnv): HealthCheck {
  const headers = grafanaAuthHeader(outputs, env);
  return {
    component: "grafana",
    check: "dashboards",
    run: async (signal) => {
      const missing: string[] = [];
      for (const dashboard of outputs.grafanaDashboards) {
        try {
          await fetchJson(joinUrl(outputs.grafanaUrl, `/api/dashboards/uid/${encodeURIComponent(dashboard.uid)}`), signal, headers);
        } catch (error) {
          missing.push(`${dashboard.title} (${(error as Error).message.replace(/^GET \S+: /, "")})`);
        }
      }
      const total = outputs.grafanaDashboards.length;
      if (missing.length === 0) return pass(`${total}/${total} dashboards`);
      return fail(`${total - missing.length}/${total}: missing ${missing.join("; ")}`, "GET /api/dashboards/uid/<uid>", "HTTP 401/403: set GRAFANA_TOKEN; 404: pulumi up re-creates the dashboard");
    },
  };
}
