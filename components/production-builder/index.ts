export { PRODUCTION_BUILDER_TYPE, ProductionBuilder, type ProductionBuilderArgs } from "./production-builder";
export {
  fillDefaults,
  PINNED_DOCKERFILE_FRONTEND,
  PINNED_FRONTEND_PATTERN,
  PRODUCTION_HOST_DEFAULTS,
  SBOM_GENERATOR,
  productionBuilderSchema,
  productionHostSchema,
  type ProductionBuilderInput,
  type ProductionBuilderSettings,
  type Severity,
} from "./args";
export { productionBuilderProblems, productionHostProblems, type ProductionProblem } from "./validate";
export { buildSourcePolicy, normalizeImageName, renderSourcePolicy, sourcePolicyAllows, type SourcePolicy, type SourcePolicyRule, type SourcePolicySettings } from "./render-source-policy";
export { GATE_PATHS, GATE_SCRIPT_FILE, GATE_VERSION, renderProdBuildScript, shellQuote, SOURCE_POLICY_FILE, trivySeverities, type GateScriptSettings, type ProductionCachePrefixes } from "./render-gate";
export { GATE_EXIT_CODES } from "./gate-body";
export { auditBucketArn, renderAuditBucketPolicy, renderAuditEncryptionRule, renderAuditLifecycleRules, renderAuditWriterPolicy, renderObjectLockRule } from "./render-audit";
export { PRODUCTION_DASHBOARD_UID, productionMonitoring, type ProductionMonitoring, type ProductionTarget } from "./render-monitoring";
export { endpoints, gateAddress, gateScriptForHost, gateSettings, productionCachePrefixes, renderProduction, type RenderedProduction } from "./render-production";
export { createGateClientCertificate, createProductionCa, PRODUCTION_CA_VALIDITY_HOURS, type ClientCertificate, type ProductionCa } from "./tls";
