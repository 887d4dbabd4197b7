import { environmentConfigSchema, environmentOf, forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { asArray, asRecord, asString, at, type Props } from "../lib/props";
import { COMPONENT } from "../lib/types";

/**
 * Alert routes a MonitoringStack declares. Its `alerting` prop ({via, routes, hasRoute}) is
 * authoritative when present; otherwise a configured webhook or Slack channel counts.
 */
export function alertRoutes(props: Props): string[] {
  const alerting = asRecord(props["alerting"]);
  if (typeof alerting?.["hasRoute"] === "boolean") {
    if (!alerting["hasRoute"]) return [];
    const routes = asArray(alerting["routes"]).map((r) => (typeof r === "string" ? r : (asString(at(r, "name")) ?? JSON.stringify(r))));
    return routes.length > 0 ? routes : ["(declared)"];
  }
  const routes: string[] = [];
  for (const source of [alerting, at(props, "settings", "alerting")]) {
    for (const key of ["webhookUrl", "slackChannel"]) {
      const value = asString(at(source, key));
      if (value) routes.push(`${key}=${value}`);
    }
    routes.push(...asArray(at(source, "routes")).map((r) => (typeof r === "string" ? r : JSON.stringify(r))));
  }
  return routes;
}

export const requireAlertRoutes: BuildfarmResourcePolicy = {
  name: "buildfarm-monitoring-alert-routes",
  description: "In prod, the MonitoringStack routes alerts somewhere (a webhook, a Slack channel, or a Grafana contact point and notification policy).",
  remediationSteps:
    "Set buildfarm:monitoring.alerting.webhookUrl or alerting.slackChannel (with the Slack webhook secret), or alerting.via: grafana " +
    "with a contact point. Alerts that reach nobody do not count as alerting.",
  configSchema: environmentConfigSchema,
  validateResource: forTypes([COMPONENT.monitoringStack], (props, args, reportViolation) => {
    if (environmentOf(props, args.getConfig()) !== "prod") args.notApplicable("only enforced in prod");
    if (alertRoutes(props).length === 0) reportViolation(`prod monitoring has no alert route (alerting via ${JSON.stringify(asString(at(props, "alerting", "via")) ?? asString(at(props, "settings", "alerting", "via")) ?? null)})`);
  }),
};
