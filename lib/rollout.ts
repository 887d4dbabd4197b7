/**
 * Rolling upgrades of a pool, as a pure plan: the first host alone (the canary), then batches of at most
 * `maxUnavailable` hosts. Each batch starts only after the previous batch verified, so a failed
 * verification halts the rollout: the failing host rolls back, hosts not yet reached keep the old release.
 * The stacks turn the plan into Pulumi `dependsOn` edges, so `pulumi preview` shows the order.
 */

export interface RolloutOptions {
  /** Hosts upgraded (and so out of the pool) at once after the canary. @default 1 */
  readonly maxUnavailable?: number;
}

export interface RolloutPlan {
  /** Host names per batch, in order; batch 0 is the canary (one host). */
  readonly batches: readonly (readonly string[])[];
}

export function planRollout(hosts: readonly string[], options: RolloutOptions = {}): RolloutPlan {
  const maxUnavailable = options.maxUnavailable ?? 1;
  if (!Number.isInteger(maxUnavailable) || maxUnavailable < 1) throw new Error(`maxUnavailable: expected a whole number of at least 1, got ${maxUnavailable}`);
  const duplicate = hosts.find((host, i) => hosts.indexOf(host) !== i);
  if (duplicate !== undefined) throw new Error(`rollout: host "${duplicate}" is listed twice`);
  if (hosts.length === 0) return { batches: [] };
  const [canary, ...rest] = hosts;
  const batches: string[][] = [[canary!]];
  for (let i = 0; i < rest.length; i += maxUnavailable) batches.push(rest.slice(i, i + maxUnavailable));
  return { batches };
}

/** The hosts a batch waits for: every host of the batch before it (none for the canary). */
export function predecessorsOf(plan: RolloutPlan, host: string): readonly string[] {
  const index = plan.batches.findIndex((batch) => batch.includes(host));
  if (index < 0) throw new Error(`rollout: host "${host}" is not in the plan`);
  return index === 0 ? [] : plan.batches[index - 1]!;
}

export type HostOutcome = { readonly host: string; readonly verified: true } | { readonly host: string; readonly verified: false; readonly failedStep: string };

export interface RolloutResult {
  readonly upgraded: readonly string[];
  readonly failed?: { readonly host: string; readonly failedStep: string };
  /** Hosts never reached because the rollout halted: they stay on the old release. */
  readonly untouched: readonly string[];
}

/**
 * Runs a plan with `upgrade` per host, batch by batch (hosts of one batch concurrently), and halts after
 * the first batch with a failed verification. Used by the fleet rollout script and its tests.
 */
export async function runRollout(plan: RolloutPlan, upgrade: (host: string) => Promise<HostOutcome>): Promise<RolloutResult> {
  const upgraded: string[] = [];
  for (const [index, batch] of plan.batches.entries()) {
    const outcomes = await Promise.all(batch.map(upgrade));
    upgraded.push(...outcomes.filter((o) => o.verified).map((o) => o.host));
    const failure = outcomes.find((o): o is Extract<HostOutcome, { verified: false }> => !o.verified);
    if (failure !== undefined) {
      return { upgraded, failed: { host: failure.host, failedStep: failure.failedStep }, untouched: plan.batches.slice(index + 1).flat() };
    }
  }
  return { upgraded, untouched: [] };
}
