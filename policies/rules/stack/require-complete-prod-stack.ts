import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { environmentConfigSchema, resourcesOfType, type BuildfarmStackPolicy, type Environment } from "../lib/policy";
import { asArray, asRecord, asString, at } from "../lib/props";
import { COMPONENT, GRAFANA } from "../lib/types";

/** The stack's environment: policy config, then the `buildfarm:environment` stack tag, then component props. */
export function stackEnvironment(args: StackValidationArgs): Environment | undefined {
  const configured = args.getConfig<{ environment?: string }>().environment;
  if (configured === "dev" || configured === "prod") return configured;
  const tag = args.stackTags.get("buildfarm:environment");
  if (tag === "dev" || tag === "prod") return tag;
  const environments = new Set(args.resources.map((r) => asString(at(r.props, "environment"))));
  if (environments.has("prod")) return "prod";
  return environments.has("dev") ? "dev" : undefined;
}

/** Alert routes a MonitoringStack declares: a webhook, a Slack channel, or explicit receivers/routes. */
export function alertRoutes(monitoring: PolicyResource): string[] {
  const props = asRecord(monitoring.props) ?? {};
  const routes: string[] = [];
  for (const alerting of [at(props, "alerting"), at(props, "settings", "alerting")]) {
    for (const key of ["webhookUrl", "slackChannel"]) {
      const value = asString(at(alerting, key));
      if (value) routes.push(`${key}=${value}`);
    }
    for (const key of ["receivers", "routes"]) routes.push(...asArray(at(alerting, key)).map((r) => `${key}:${asString(at(r, "name")) ?? JSON.stringify(r)}`));
  }
  for (const key of ["alertRoutes", "receivers"]) routes.push(...asArray(props[key]).map((r) => (typeof r === "string" ? r : (asString(at(r, "name")) ?? JSON.stringify(r)))));
  return routes;
}

export const requireCompleteProdStack: BuildfarmStackPolicy = {
  name: "buildfarm-stack-prod-complete",
  description: "A prod stack has a ProductionBuilder, a MonitoringStack, and at least one alert route (webhook, Slack, or Grafana contact point and notification policy).",
  remediationSteps:
    "Configure buildfarm:productionBuilder and buildfarm:monitoring (with alerting.webhookUrl or alerting.slackChannel) in Pulumi.prod.yaml. " +
    "Production builds without a dedicated builder or without alerts that reach someone are not production.",
  configSchema: environmentConfigSchema,
  validateStack: (args, reportViolation) => {
    if (stackEnvironment(args) !== "prod") args.notApplicable("not a prod stack");
    if (resourcesOfType(args, [COMPONENT.productionBuilder]).length === 0) reportViolation("the prod stack has no ProductionBuilder (buildfarm:index:ProductionBuilder)");
    const monitoring = resourcesOfType(args, [COMPONENT.monitoringStack]);
    if (monitoring.length === 0) {
      reportViolation("the prod stack has no MonitoringStack (buildfarm:index:MonitoringStack)");
      return;
    }
    const grafanaRouted = resourcesOfType(args, [GRAFANA.contactPoint]).length > 0 && resourcesOfType(args, [GRAFANA.notificationPolicy]).length > 0;
    if (!grafanaRouted && monitoring.every((m) => alertRoutes(m).length === 0)) {
      reportViolation("the prod stack's monitoring has no alert route (no webhook, Slack channel, or Grafana contact point + notification policy)", monitoring[0]?.urn);
    }
  },
};
