/** Kubernetes quantity arithmetic for the few forms the pool accepts (see args.ts). */

const BINARY: Readonly<Record<string, number>> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** "8Gi" → bytes. */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!match) throw new Error(`not a byte quantity: ${JSON.stringify(quantity)}`);
  return Number(match[1]) * (BINARY[match[2] ?? ""] ?? 1);
}

/** "500m" → 0.5, "2" → 2. */
export function quantityCores(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

/** GOMAXPROCS from a CPU limit: whole cores, at least 1 (Go would otherwise see every node core). */
export function goMaxProcs(cpuLimit: string): number {
  return Math.max(1, Math.floor(quantityCores(cpuLimit)));
}
