import type { StackValidationArgs } from "@pulumi/policy";
import { environmentConfigSchema, resourcesOfType, type BuildfarmStackPolicy, type Environment } from "../lib/policy";
import { asString, at } from "../lib/props";
import { COMPONENT } from "../lib/types";

/**
 * The stack's environment: policy config, then the `buildfarm:environment` stack tag, then any
 * resource's `environment` prop. (The engine hands stack policies resource *outputs*; components
 * register few, so prod CI passes `policies/config/prod.json`, which sets it explicitly.)
 */
export function stackEnvironment(args: StackValidationArgs): Environment | undefined {
  const configured = args.getConfig<{ environment?: string }>().environment;
  if (configured === "dev" || configured === "prod") return configured;
  const tag = args.stackTags.get("buildfarm:environment");
  if (tag === "dev" || tag === "prod") return tag;
  const environments = new Set(args.resources.map((r) => asString(at(r.props, "environment"))));
  if (environments.has("prod")) return "prod";
  return environments.has("dev") ? "dev" : undefined;
}

export const requireCompleteProdStack: BuildfarmStackPolicy = {
  name: "buildfarm-stack-prod-complete",
  description: "A prod stack has a ProductionBuilder and a MonitoringStack (whose alert routes buildfarm-monitoring-alert-routes checks).",
  remediationSteps:
    "Configure buildfarm:productionBuilder and buildfarm:monitoring in Pulumi.prod.yaml. Production builds without a dedicated, " +
    "hardened builder, or without monitoring, are not production.",
  configSchema: environmentConfigSchema,
  validateStack: (args, reportViolation) => {
    if (stackEnvironment(args) !== "prod") args.notApplicable("not a prod stack");
    if (resourcesOfType(args, [COMPONENT.productionBuilder]).length === 0) reportViolation("the prod stack has no ProductionBuilder (buildfarm:index:ProductionBuilder)");
    if (resourcesOfType(args, [COMPONENT.monitoringStack]).length === 0) reportViolation("the prod stack has no MonitoringStack (buildfarm:index:MonitoringStack)");
  },
};
