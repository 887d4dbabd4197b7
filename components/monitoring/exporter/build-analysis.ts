/**
 * What one completed build says about the cache: pure functions over the build's history record and its
 * plain progress log (`buildctl debug logs --progress plain <ref>`, the same text `--progress plain`
 * prints). Used by the polling collector today and by an event-stream loop (`buildctl debug monitor`)
 * later; neither loop's shape leaks in here.
 *
 * Definitions (verified on the v0.32.2 recordings in test/fixtures/buildkit-v0.32.2/real-builds/):
 * - A user step is a vertex named `[<stage> n/m] ...` (the Dockerfile's own instructions). `[internal]`
 *   loads, `[auth]` token fetches, the exporter (`exporting to ...`) and the cache import/export vertices
 *   (`importing cache manifest from ...`, `exporting cache to ...`) are never cached and are not user steps.
 * - A cacheable user step ended `CACHED` (cached) or `DONE`/`ERROR` (it ran: missed). A `CANCELED` step or
 *   one with no outcome in the log was never judged and counts as neither.
 * - The user hit ratio is cached / (cached + missed).
 */
import type { BuildRecord } from "./parse";

export type CacheOperation = "import" | "export";

/** A failed cache import or export: with `ignore-error=true` the build still succeeds and only the log shows it. */
export interface CacheError {
  readonly operation: CacheOperation;
  /** `s3`, `registry`, `local`, `gha`, `azblob`, or `other`. */
  readonly backend: string;
  /** The vertex name, e.g. `exporting cache to Amazon S3`. */
  readonly vertex: string;
  readonly message: string;
}

export interface LogAnalysis {
  readonly userSteps: { readonly cached: number; readonly missed: number };
  /** Names of the user steps that ran instead of coming from cache, in vertex order. */
  readonly missedSteps: readonly string[];
  readonly cacheErrors: readonly CacheError[];
}

/** `none`: every cacheable user step came from cache (or there were none); `full`: none did. */
export type Invalidation = "none" | "partial" | "full";

export interface BuildAnalysis extends LogAnalysis {
  readonly ref: string;
  readonly status: BuildRecord["status"];
  readonly invalidation: Invalidation;
}

/** The structured log line for a build whose cache was invalidated. */
export interface InvalidationEvent {
  readonly event: "cache_invalidation";
  readonly ref: string;
  readonly kind: "partial" | "full";
  readonly missedSteps: readonly string[];
  readonly cachedUserSteps: number;
  readonly cacheableUserSteps: number;
  readonly completedAt: string;
}

const VERTEX_HEADER = /^#(\d+) (.+)$/;
const VERTEX_OUTCOME = /^#(\d+) (CACHED|DONE|ERROR|CANCELED)\b(?::? ?(.*))?$/;
const USER_STEP = /^\[(?!internal\]|auth\])(?:[^\]]+ )?\d+\/\d+\] /;
const CACHE_IMPORT = /^importing cache manifest from (.+)$/;
const CACHE_EXPORT = /^exporting cache to (.+)$/;
/** Vertex lines that are progress, not a vertex name. */
const PROGRESS_LINE = /^(\d+(\.\d+)? |CACHED|DONE|ERROR|CANCELED|transferring|sha256:|extracting|resolve |preparing |sending |writing |naming |exporting (layers|manifest|config|attestation))/;

/** `s3:1634...` → s3; `registry.example.com/cache:main` → registry. */
function importBackend(source: string): string {
  const scheme = /^(s3|gha|local|azblob):/.exec(source)?.[1];
  return scheme ?? (source.includes("/") ? "registry" : "other");
}

/** BuildKit's exporter names: `Amazon S3`, `registry`, `client directory`, `GitHub Actions`, `Azure Blob Storage`. */
function exportBackend(target: string): string {
  if (/amazon s3/i.test(target)) return "s3";
  if (/registry/i.test(target)) return "registry";
  if (/client directory|local/i.test(target)) return "local";
  if (/github/i.test(target)) return "gha";
  if (/azure/i.test(target)) return "azblob";
  return "other";
}

interface Vertex {
  name?: string;
  outcome?: string;
  error?: string;
}

/** Vertex number → first name line and final outcome, from a plain progress log. */
function readVertices(log: string): Map<number, Vertex> {
  const vertices = new Map<number, Vertex>();
  for (const line of log.split("\n")) {
    const outcome = VERTEX_OUTCOME.exec(line);
    if (outcome?.[1] !== undefined) {
      const vertex = vertices.get(Number(outcome[1])) ?? {};
      vertex.outcome = outcome[2];
      if (outcome[2] === "ERROR") vertex.error = (outcome[3] ?? "").trim();
      vertices.set(Number(outcome[1]), vertex);
      continue;
    }
    const header = VERTEX_HEADER.exec(line);
    if (header?.[1] === undefined || header[2] === undefined) continue;
    const vertex = vertices.get(Number(header[1])) ?? {};
    if (vertex.name === undefined && !PROGRESS_LINE.test(header[2])) vertex.name = header[2];
    vertices.set(Number(header[1]), vertex);
  }
  return new Map([...vertices.entries()].sort(([a], [b]) => a - b));
}

/** User steps cached/missed, the missed steps' names and the failed cache operations of one build log. */
export function analyzeBuildLog(log: string): LogAnalysis {
  let cached = 0;
  const missedSteps: string[] = [];
  const cacheErrors: CacheError[] = [];
  for (const { name, outcome, error } of readVertices(log).values()) {
    if (name === undefined) continue;
    if (USER_STEP.test(name)) {
      if (outcome === "CACHED") cached += 1;
      else if (outcome === "DONE" || outcome === "ERROR") missedSteps.push(name);
      continue;
    }
    if (outcome !== "ERROR") continue;
    const imported = CACHE_IMPORT.exec(name);
    const exported = CACHE_EXPORT.exec(name);
    if (imported?.[1] !== undefined) cacheErrors.push({ operation: "import", backend: importBackend(imported[1]), vertex: name, message: error ?? "" });
    else if (exported?.[1] !== undefined) cacheErrors.push({ operation: "export", backend: exportBackend(exported[1]), vertex: name, message: error ?? "" });
  }
  return { userSteps: { cached, missed: missedSteps.length }, missedSteps, cacheErrors };
}

/** The analysis of one completed build: its record plus its log. */
export function analyzeBuild(record: BuildRecord, log: string): BuildAnalysis {
  const analysis = analyzeBuildLog(log);
  const { cached, missed } = analysis.userSteps;
  const invalidation: Invalidation = missed === 0 ? "none" : cached === 0 ? "full" : "partial";
  return { ...analysis, ref: record.ref, status: record.status, invalidation };
}

/** The user hit ratio of one build, or undefined when it had no cacheable user step. */
export function userHitRatio(analysis: LogAnalysis): number | undefined {
  const { cached, missed } = analysis.userSteps;
  return cached + missed > 0 ? cached / (cached + missed) : undefined;
}

/** The event to log, or undefined for a build with no missed user step (fully cached, or nothing to cache). */
export function invalidationEvent(record: BuildRecord, analysis: BuildAnalysis): InvalidationEvent | undefined {
  if (analysis.invalidation === "none") return undefined;
  return {
    event: "cache_invalidation",
    ref: record.ref,
    kind: analysis.invalidation,
    missedSteps: analysis.missedSteps,
    cachedUserSteps: analysis.userSteps.cached,
    cacheableUserSteps: analysis.userSteps.cached + analysis.userSteps.missed,
    completedAt: new Date(record.completedAt * 1000).toISOString(),
  };
}
