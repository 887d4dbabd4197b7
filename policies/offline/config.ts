import type { EnforcementLevel, Policy } from "@pulumi/policy";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A policy pack config document, as `pulumi preview --policy-pack-config FILE` reads it. */
export type PolicyPackConfigFile = Record<string, unknown>;

export interface ReconciledPolicyConfig {
  readonly enforcementLevel: EnforcementLevel;
  readonly properties: Readonly<Record<string, unknown>>;
}

export class PolicyConfigError extends Error {}

function isLevel(value: unknown): value is EnforcementLevel {
  return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

function normalise(key: string, value: unknown): { enforcementLevel?: EnforcementLevel; properties: Record<string, unknown> } {
  if (isLevel(value)) return { enforcementLevel: value, properties: {} };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new PolicyConfigError(`policy config "${key}": expected an enforcement level (${ENFORCEMENT_LEVELS.join(", ")}) or an object, got ${JSON.stringify(value)}`);
  }
  const { enforcementLevel, ...properties } = value as Record<string, unknown>;
  if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
    throw new PolicyConfigError(`policy config "${key}".enforcementLevel: expected one of ${ENFORCEMENT_LEVELS.join(", ")}, got ${JSON.stringify(enforcementLevel)}`);
  }
  return { ...(enforcementLevel !== undefined ? { enforcementLevel } : {}), properties };
}

/**
 * The engine's config reconciliation (pulumi `ReconcilePolicyPackConfig`): start from each policy's
 * level (or the pack's) and its schema defaults, then apply each config in order: `all` sets every
 * level, a policy's own entry sets its level and properties. Unknown policy names are an error here,
 * so a typo does not silently leave a policy mandatory.
 */
export function reconcilePolicyConfig(
  policies: readonly Policy[],
  packLevel: EnforcementLevel,
  ...configs: ReadonlyArray<PolicyPackConfigFile | undefined>
): Map<string, ReconciledPolicyConfig> {
  const result = new Map<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }>();
  for (const policy of policies) {
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      const fallback = (schema as { default?: unknown }).default;
      if (fallback !== undefined) defaults[key] = structuredClone(fallback);
    }
    result.set(policy.name, { enforcementLevel: policy.enforcementLevel ?? packLevel, properties: defaults });
  }
  for (const config of configs) {
    if (!config) continue;
    if (config["all"] !== undefined) {
      const all = normalise("all", config["all"]);
      if (all.enforcementLevel) for (const entry of result.values()) entry.enforcementLevel = all.enforcementLevel;
    }
    for (const [key, value] of Object.entries(config)) {
      if (key === "all") continue;
      const entry = result.get(key);
      if (!entry) throw new PolicyConfigError(`policy config names an unknown policy "${key}" (known: ${[...result.keys()].join(", ")})`);
      const given = normalise(key, value);
      if (given.enforcementLevel) entry.enforcementLevel = given.enforcementLevel;
      const schema = policies.find((p) => p.name === key)?.configSchema?.properties ?? {};
      for (const property of Object.keys(given.properties)) {
        if (!(property in schema)) throw new PolicyConfigError(`policy config "${key}".${property}: not a setting of this policy (settings: ${Object.keys(schema).join(", ") || "none"})`);
      }
      Object.assign(entry.properties, given.properties);
    }
  }
  return result;
}
