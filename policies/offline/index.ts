export { evaluatePolicies, countMandatory, resourceUrns, type Evaluation, type EvaluateOptions, type NotApplicable, type PlanResource, type Violation } from "./evaluate";
export { reconcilePolicyConfig, PolicyConfigError, ENFORCEMENT_LEVELS, type PolicyPackConfigFile, type ReconciledPolicyConfig } from "./config";
export { formatJsonLines, formatTable } from "./format";
