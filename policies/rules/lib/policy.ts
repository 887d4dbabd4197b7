import type {
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { asRecord, asString, type Props } from "./props";

/** Every buildfarm policy states why it exists and how to fix a violation. */
export type BuildfarmResourcePolicy = ResourceValidationPolicy & { readonly remediationSteps: string; readonly validateResource: ResourceValidation };
export type BuildfarmStackPolicy = StackValidationPolicy & { readonly remediationSteps: string };
export type BuildfarmPolicy = BuildfarmResourcePolicy | BuildfarmStackPolicy;

export type TypedValidation = (props: Props, args: ResourceValidationArgs, reportViolation: ReportViolation) => void;

/**
 * Like `validateResourceOfType`, but keyed by type tokens, so the pack needs no provider SDKs.
 * Other types are reported as not applicable, as the engine does.
 */
export function forTypes(types: readonly string[], validate: TypedValidation): ResourceValidation {
  const validation: ResourceValidation = (args, reportViolation) => {
    if (!types.includes(args.type)) args.notApplicable(`applies only to ${types.join(", ")}`);
    validate(asRecord(args.props) ?? {}, args, reportViolation);
  };
  // The engine's fast path skips other types without calling us (server.js getPulumiType).
  if (types.length === 1) (validation as ResourceValidation & { __pulumiType?: string }).__pulumiType = types[0];
  return validation;
}

/** Resources of the given types, for stack policies. */
export function resourcesOfType(args: StackValidationArgs, types: readonly string[]): PolicyResource[] {
  return args.resources.filter((resource) => types.includes(resource.type));
}

export type Environment = "dev" | "prod";

/** Config shared by the environment-dependent policies. "auto" reads the resource's own `environment` prop. */
export const environmentConfigSchema = {
  properties: {
    environment: {
      type: "string" as const,
      enum: ["auto", "dev", "prod"],
      default: "auto",
      description: "Treat resources as this environment; \"auto\" uses the component's `environment` prop.",
    },
  },
};

/** The environment a component belongs to: policy config first, then its `environment` / `role` props. */
export function environmentOf(props: Props, config: { environment?: string }): Environment | undefined {
  if (config.environment === "dev" || config.environment === "prod") return config.environment;
  const own = asString(props["environment"]);
  if (own === "dev" || own === "prod") return own;
  if (asString(props["role"]) === "prod") return "prod";
  return undefined;
}
