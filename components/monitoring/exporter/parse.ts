/**
 * Parsers for buildctl's control-API output (shapes verified on BuildKit v0.32.2 fixtures).
 * Pure functions: text in, typed values out. Unknown fields are ignored; malformed lines throw.
 */

/** One record of `buildctl du --format '{{json .}}'` (a single JSON array). */
export interface DiskUsageRecord {
  readonly id: string;
  readonly size: number;
  readonly recordType: string;
  readonly inUse: boolean;
  readonly shared: boolean;
}

export interface DiskUsageSummary {
  readonly totalBytes: number;
  readonly reclaimableBytes: number;
  /** record type → bytes and record count, sorted by type. */
  readonly byType: ReadonlyMap<string, { bytes: number; records: number }>;
}

/** A completed build from `buildctl debug histories --format '{{json .}}'`. */
export interface BuildRecord {
  readonly ref: string;
  readonly createdAt: number;
  readonly completedAt: number;
  readonly durationSeconds: number;
  readonly status: "success" | "failure";
  readonly totalSteps: number;
  readonly cachedSteps: number;
  readonly completedSteps: number;
  readonly errorMessage?: string;
}

/** `buildctl du` prints one JSON array, or `null` when the cache is empty. */
export function parseDiskUsage(text: string): DiskUsageRecord[] {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "null") return [];
  const parsed: unknown = JSON.parse(trimmed);
  if (!Array.isArray(parsed)) throw new Error(`buildctl du: expected a JSON array, got ${typeof parsed}`);
  return parsed.map((item: Record<string, unknown>, i) => {
    if (typeof item.id !== "string") throw new Error(`buildctl du: record ${i} has no id`);
    return {
      id: item.id,
      size: typeof item.size === "number" ? item.size : 0,
      recordType: typeof item.recordType === "string" && item.recordType !== "" ? item.recordType : "unknown",
      inUse: item.inUse === true,
      shared: item.shared === true,
    };
  });
}

/** Totals the way `buildctl du` prints them: reclaimable = records not in use. */
export function summarizeDiskUsage(records: readonly DiskUsageRecord[]): DiskUsageSummary {
  const byType = new Map<string, { bytes: number; records: number }>();
  let totalBytes = 0;
  let reclaimableBytes = 0;
  for (const record of records) {
    totalBytes += record.size;
    if (!record.inUse) reclaimableBytes += record.size;
    const entry = byType.get(record.recordType) ?? { bytes: 0, records: 0 };
    entry.bytes += record.size;
    entry.records += 1;
    byType.set(record.recordType, entry);
  }
  const sorted = new Map([...byType.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return { totalBytes, reclaimableBytes, byType: sorted };
}

interface ProtoTimestamp {
  seconds?: number | string;
  nanos?: number;
}

function toSeconds(ts: ProtoTimestamp | undefined): number | undefined {
  if (ts === undefined || ts.seconds === undefined) return undefined;
  return Number(ts.seconds) + (ts.nanos ?? 0) / 1e9;
}

/** BuildHistoryEventType: 0 STARTED, 1 COMPLETE, 2 DELETED. Only completed records are builds we can judge. */
const EVENT_COMPLETE = 1;

export function parseHistories(text: string): BuildRecord[] {
  const builds: BuildRecord[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let event: { type?: number; record?: Record<string, unknown> };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      throw new Error(`buildctl debug histories: line ${i + 1} is not JSON`);
    }
    const record = event.record;
    if ((event.type ?? 0) !== EVENT_COMPLETE || record === undefined) continue;
    const createdAt = toSeconds(record.CreatedAt as ProtoTimestamp | undefined);
    const completedAt = toSeconds(record.CompletedAt as ProtoTimestamp | undefined);
    if (typeof record.Ref !== "string" || createdAt === undefined || completedAt === undefined) continue;
    const error = record.error as { message?: string } | undefined;
    builds.push({
      ref: record.Ref,
      createdAt,
      completedAt,
      durationSeconds: Math.max(0, completedAt - createdAt),
      status: error === undefined ? "success" : "failure",
      // proto3 JSON omits zero counts
      totalSteps: Number(record.numTotalSteps ?? 0),
      cachedSteps: Number(record.numCachedSteps ?? 0),
      completedSteps: Number(record.numCompletedSteps ?? 0),
      ...(error?.message !== undefined ? { errorMessage: error.message } : {}),
    });
  }
  return builds.sort((a, b) => a.completedAt - b.completedAt || a.ref.localeCompare(b.ref));
}

/** The largest `maxUsedSpace` among the workers' GC policies (`buildctl debug workers --format '{{json .}}'`). */
export function parseGcMaxUsedBytes(text: string): number | undefined {
  const workers = JSON.parse(text) as Array<{ gcPolicy?: Array<{ maxUsedSpace?: number }> }> | null;
  const limits = (workers ?? []).flatMap((w) => (w.gcPolicy ?? []).map((p) => p.maxUsedSpace ?? 0)).filter((v) => v > 0);
  return limits.length > 0 ? Math.max(...limits) : undefined;
}
