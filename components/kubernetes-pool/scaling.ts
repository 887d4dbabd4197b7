/**
 * The scaling maths, shared by the tests and the ScaledObject (render-autoscaling.ts encodes exactly
 * this: an AverageValue target of `slotsPerReplica` on queued + in-use slots, clamped to min..max, with
 * the HPA's scale-down stabilisation window).
 */

export interface Demand {
  /** Connections waiting in the front's backend queue (`haproxy_backend_current_queue`). */
  readonly queued: number;
  /** Connections being served by builders (`haproxy_server_current_sessions`, summed). */
  readonly slotsInUse: number;
}

export interface ReplicaBounds {
  readonly min: number;
  readonly max: number;
  readonly slotsPerReplica: number;
}

/** Replicas wanted for a demand: enough slots for everything in use and queued, within min..max. */
export function desiredReplicas(demand: Demand, bounds: ReplicaBounds): number {
  const wanted = Math.ceil((Math.max(0, demand.queued) + Math.max(0, demand.slotsInUse)) / bounds.slotsPerReplica);
  return Math.min(bounds.max, Math.max(bounds.min, wanted));
}

export interface Recommendation {
  /** Seconds (any clock). */
  readonly at: number;
  readonly replicas: number;
}

/**
 * The replica count after stabilisation, as the HPA computes it: scaling up applies at once; scaling
 * down takes the highest recommendation of the last `windowSeconds`, so a dip shorter than the window
 * never removes a pod.
 */
export function stabilisedReplicas(history: readonly Recommendation[], now: number, windowSeconds: number): number {
  const recent = history.filter((r) => r.at > now - windowSeconds && r.at <= now);
  const latest = history.filter((r) => r.at <= now).at(-1);
  if (latest === undefined) throw new Error("no recommendation yet");
  return Math.max(latest.replicas, ...recent.map((r) => r.replicas));
}

/** The PromQL KEDA reads: queued + in-use slots of the pool's backend (0 when the front reports nothing yet). */
export function demandQuery(pool: string, backend: string): string {
  const selector = `job="buildfarm-pool-front",pool="${pool}",proxy="${backend}"`;
  return `(sum(haproxy_backend_current_queue{${selector}}) or vector(0)) + (sum(haproxy_server_current_sessions{${selector}}) or vector(0))`;
}
