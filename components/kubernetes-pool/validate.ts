import { parseSize } from "../../lib/units";
import type { KubernetesPoolSettings } from "./args";
import { quantityBytes, quantityCores } from "./quantities";

export interface PoolProblem {
  /** Path under the pool's config entry. */
  readonly path: PropertyKey[];
  readonly message: string;
}

/** Share of the PVC BuildKit's GC may fill (the rest is headroom for the snapshotter and history). */
export const GC_MAX_USED_SHARE = 0.8;

/** Rules zod's shape cannot express; each names the key to fix. */
export function kubernetesPoolProblems(pool: KubernetesPoolSettings): PoolProblem[] {
  const problems: PoolProblem[] = [];
  if (pool.replicas.min > pool.replicas.max) {
    problems.push({ path: ["replicas", "min"], message: `expected at most replicas.max (${pool.replicas.max}), got ${pool.replicas.min}` });
  }
  const storage = quantityBytes(pool.storage.size);
  const reserved = parseSize(pool.gcReservedSpace) ?? 0;
  if (storage * GC_MAX_USED_SHARE <= reserved) {
    problems.push({
      path: ["storage", "size"],
      message: `expected more than gcReservedSpace (${pool.gcReservedSpace}) / ${GC_MAX_USED_SHARE} = ${Math.ceil(reserved / GC_MAX_USED_SHARE / 1024 ** 3)}Gi so GC can keep its reservation, got ${pool.storage.size}`,
    });
  }
  const { requests, limits } = pool.resources;
  if (quantityCores(limits.cpu) < quantityCores(requests.cpu)) {
    problems.push({ path: ["resources", "limits", "cpu"], message: `expected at least the request (${requests.cpu}), got ${limits.cpu}` });
  }
  for (const key of ["memory", "ephemeralStorage"] as const) {
    if (quantityBytes(limits[key]) < quantityBytes(requests[key])) {
      problems.push({ path: ["resources", "limits", key], message: `expected at least the request (${requests[key]}), got ${limits[key]}` });
    }
  }
  if (pool.front === undefined) {
    problems.push({ path: ["front"], message: "expected a front section: a pool is reached only through its HAProxy front" });
  }
  return problems;
}
