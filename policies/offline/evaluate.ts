import type {
  EnforcementLevel,
  Policy,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { reconcilePolicyConfig, type PolicyPackConfigFile, type ReconciledPolicyConfig } from "./config";

/** One resource as `npm run plan` writes it to resources.json. */
export interface PlanResource {
  readonly type: string;
  readonly name: string;
  readonly parent?: string | null;
  readonly props: unknown;
}

export interface Violation {
  readonly policy: string;
  /** Resource name, or "(stack)" for a stack-level violation without a resource. */
  readonly resource: string;
  readonly type: string;
  readonly level: EnforcementLevel;
  readonly message: string;
}

export interface NotApplicable {
  readonly policy: string;
  readonly resource: string;
  readonly reason: string;
}

export interface EvaluateOptions {
  readonly policies: readonly Policy[];
  readonly packEnforcementLevel: EnforcementLevel;
  /** Config documents applied in order (e.g. the stack's file, then a user's overrides). */
  readonly configs?: ReadonlyArray<PolicyPackConfigFile | undefined>;
  /** @default "offline" */
  readonly stack?: string;
  /** @default "buildfarm" */
  readonly project?: string;
  readonly stackTags?: ReadonlyMap<string, string>;
}

export interface Evaluation {
  readonly violations: Violation[];
  readonly notApplicable: NotApplicable[];
}

const STACK_TYPE = "pulumi:pulumi:Stack";

class NotApplicableError extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ?? "not applicable");
  }
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicableError(reason);
}

function isResourcePolicy(policy: Policy): policy is ResourceValidationPolicy {
  return typeof (policy as { validateStack?: unknown }).validateStack !== "function";
}

/** The type a class-bound validation applies to (`validateResourceOfType` and our `forTypes` set it). */
function pulumiTypeOf(value: unknown): string | undefined {
  const type = (value as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof type === "string" ? type : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

function options(parentUrn: string | undefined): PolicyResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(parentUrn !== undefined ? { parent: parentUrn } : {}),
  };
}

interface Indexed {
  readonly resource: PlanResource;
  readonly urn: string;
  readonly parentUrn?: string;
  readonly props: Record<string, unknown>;
}

/** Frozen copies of props, shared across evaluations of the same input objects (a stack and its mutations). */
const frozenProps = new WeakMap<object, Record<string, unknown>>();

function frozenCopy(props: unknown): Record<string, unknown> {
  const source = (props ?? {}) as Record<string, unknown>;
  let copy = frozenProps.get(source);
  if (!copy) {
    copy = deepFreeze(structuredClone(source));
    frozenProps.set(source, copy);
  }
  return copy;
}

/** Builds engine-shaped URNs: `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>`. */
function indexResources(resources: readonly PlanResource[], stack: string, project: string): Indexed[] {
  const byName = new Map(resources.map((r) => [r.name, r]));
  const typeChain = (resource: PlanResource, seen = new Set<string>()): string => {
    const parent = resource.parent ? byName.get(resource.parent) : undefined;
    if (!parent || seen.has(parent.name)) return resource.type;
    seen.add(parent.name);
    return `${typeChain(parent, seen)}$${resource.type}`;
  };
  const urnOf = (resource: PlanResource): string => `urn:pulumi:${stack}::${project}::${typeChain(resource)}::${resource.name}`;
  return resources.map((resource) => {
    const parent = resource.parent ? byName.get(resource.parent) : undefined;
    const props = frozenCopy(resource.props);
    return { resource, urn: urnOf(resource), ...(parent ? { parentUrn: urnOf(parent) } : {}), props };
  });
}

/** Engine-shaped URN of every resource (and of its parent), keyed by resource name. */
export function resourceUrns(resources: readonly PlanResource[], stack = "offline", project = "buildfarm"): Map<string, { urn: string; parentUrn?: string }> {
  return new Map(indexResources(resources, stack, project).map((e) => [e.resource.name, { urn: e.urn, ...(e.parentUrn ? { parentUrn: e.parentUrn } : {}) }]));
}

function typeMatcher(type: string) {
  return (resourceClass: unknown): boolean => pulumiTypeOf(resourceClass) === type;
}

/**
 * Evaluates every resource policy on every resource and every stack policy on the whole stack, with
 * the argument shapes `@pulumi/policy` 1.21's analyzer builds (server.js). Violations carry the
 * reconciled enforcement level; "remediate" reports as "mandatory", as the engine does.
 */
export async function evaluatePolicies(resources: readonly PlanResource[], opts: EvaluateOptions): Promise<Evaluation> {
  const stack = opts.stack ?? "offline";
  const project = opts.project ?? "buildfarm";
  const stackTags: ReadonlyMap<string, string> = opts.stackTags ?? new Map();
  const config = reconcilePolicyConfig(opts.policies, opts.packEnforcementLevel, ...(opts.configs ?? []));
  const indexed = indexResources(resources, stack, project);
  const byUrn = new Map(indexed.map((entry) => [entry.urn, entry]));
  const violations: Violation[] = [];
  const notApplicable: NotApplicable[] = [];

  const levelOf = (policy: Policy): EnforcementLevel => {
    const level = (config.get(policy.name) as ReconciledPolicyConfig).enforcementLevel;
    return level === "remediate" ? "mandatory" : level;
  };
  const getConfigOf = (policy: Policy) => <T extends object>(): T => structuredClone((config.get(policy.name) as ReconciledPolicyConfig).properties) as T;

  for (const entry of indexed) {
    for (const policy of opts.policies) {
      if (!isResourcePolicy(policy) || levelOf(policy) === "disabled" || !policy.validateResource) continue;
      const validations: ResourceValidation[] = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
      if (validations.length === 1) {
        const only = pulumiTypeOf(validations[0]);
        if (only !== undefined && only !== entry.resource.type) continue;
      }
      const report: ReportViolation = (message) => {
        violations.push({ policy: policy.name, resource: entry.resource.name, type: entry.resource.type, level: levelOf(policy), message });
      };
      const isType = typeMatcher(entry.resource.type);
      const args: ResourceValidationArgs = {
        type: entry.resource.type,
        props: entry.props,
        urn: entry.urn,
        name: entry.resource.name,
        opts: options(entry.parentUrn),
        stackTags,
        isType: (cls) => isType(cls),
        asType: ((cls: unknown) => (isType(cls) ? entry.props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: getConfigOf(policy),
        notApplicable: throwNotApplicable,
      };
      for (const validation of validations) {
        try {
          await validation(args, report);
        } catch (error) {
          if (error instanceof NotApplicableError) notApplicable.push({ policy: policy.name, resource: entry.resource.name, reason: error.reason ?? "" });
          else throw new Error(`policy ${policy.name} failed on ${entry.urn}: ${(error as Error).message}`, { cause: error });
        }
      }
    }
  }

  const policyResources = new Map<string, PolicyResource>();
  for (const entry of indexed) {
    const isType = typeMatcher(entry.resource.type);
    policyResources.set(entry.urn, {
      type: entry.resource.type,
      props: entry.props,
      urn: entry.urn,
      name: entry.resource.name,
      opts: options(entry.parentUrn),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isType(cls),
      asType: ((cls: unknown) => (isType(cls) ? entry.props : undefined)) as PolicyResource["asType"],
    });
  }
  for (const entry of indexed) {
    const parent = entry.parentUrn ? policyResources.get(entry.parentUrn) : undefined;
    if (parent) (policyResources.get(entry.urn) as { parent?: PolicyResource }).parent = parent;
  }
  const stackResources = [...policyResources.values()];
  for (const policy of opts.policies) {
    if (isResourcePolicy(policy) || levelOf(policy) === "disabled") continue;
    const stackPolicy = policy as StackValidationPolicy;
    const report: ReportViolation = (message, urn) => {
      const target = urn ? byUrn.get(urn) : undefined;
      violations.push({ policy: policy.name, resource: target?.resource.name ?? "(stack)", type: target?.resource.type ?? STACK_TYPE, level: levelOf(policy), message });
    };
    const args: StackValidationArgs = { resources: stackResources, stackTags, getConfig: getConfigOf(policy), notApplicable: throwNotApplicable };
    try {
      await stackPolicy.validateStack(args, report);
    } catch (error) {
      if (error instanceof NotApplicableError) notApplicable.push({ policy: policy.name, resource: "(stack)", reason: error.reason ?? "" });
      else throw new Error(`stack policy ${policy.name} failed: ${(error as Error).message}`, { cause: error });
    }
  }
  return { violations, notApplicable };
}

export function countMandatory(violations: readonly Violation[]): number {
  return violations.filter((v) => v.level === "mandatory").length;
}
