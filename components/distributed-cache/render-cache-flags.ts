import { formatCacheAttributes, type CacheAttributeEntry } from "../../lib/cache-attributes";
import { cacheName, PROJECT_NAME_PATTERN } from "./naming";
import type { ResolvedCache } from "./resolve";

/** Which build client the flags are for. The attribute text is the same; the flag names differ. */
export type CacheClient = "buildctl" | "buildx";

/** Shell variable CI sets to the sanitised branch (see render-ci-snippet.ts). */
export const BRANCH_PLACEHOLDER = "${CACHE_BRANCH}";

export interface CacheRef {
  /** Git branch; sanitised into the manifest name. */
  readonly branch: string;
  /** @default the cache's configured project */
  readonly project?: string;
  /** Read from another prefix (e.g. a separate production prefix). @default the environment prefix */
  readonly prefix?: string;
}

/** Fields every s3 cache flag carries: where the cache is and how the SDK retries. */
function locationEntries(cache: ResolvedCache, prefix: string): CacheAttributeEntry[] {
  const entries: CacheAttributeEntry[] = [
    ["type", "s3"],
    ["bucket", cache.bucket],
    ["region", cache.region],
    ["prefix", prefix],
  ];
  if (cache.endpoint !== undefined) {
    entries.push(["endpoint_url", cache.endpoint], ["use_path_style", String(cache.usePathStyle)]);
  }
  entries.push(["retry_mode", cache.retryMode], ["retry_max_attempts", String(cache.retryMaxAttempts)]);
  return entries;
}

function checkedPrefix(prefix: string): string {
  if (!/^([a-z0-9][a-z0-9_-]*\/)+$/.test(prefix)) throw new Error(`expected a cache prefix like "buildkit-cache/prod/" (ending in "/"), got ${JSON.stringify(prefix)}`);
  return prefix;
}

function nameFor(cache: ResolvedCache, ref: CacheRef): string {
  return cacheName(ref.project ?? cache.project, ref.branch);
}

/** Import fields for one manifest name (BuildKit reads only the first name of an import). */
export function importEntries(cache: ResolvedCache, name: string, prefix = cache.prefix): CacheAttributeEntry[] {
  return [...locationEntries(cache, checkedPrefix(prefix)), ["name", name]];
}

/** Export fields: mode, touch_refresh, upload_parallelism and ignore-error=true (a failing cache never fails a build). */
export function exportEntries(cache: ResolvedCache, name: string): CacheAttributeEntry[] {
  return [
    ...locationEntries(cache, cache.prefix),
    ["name", name],
    ["mode", cache.mode],
    ["touch_refresh", cache.touchRefresh],
    ["upload_parallelism", String(cache.uploadParallelism)],
    ["ignore-error", "true"],
  ];
}

/** The `--import-cache` / `--cache-from` value for one branch. */
export function cacheImportAttrs(cache: ResolvedCache, ref: CacheRef): string {
  return formatCacheAttributes(importEntries(cache, nameFor(cache, ref), ref.prefix));
}

/** The `--export-cache` / `--cache-to` value for one branch. */
export function cacheExportAttrs(cache: ResolvedCache, ref: CacheRef): string {
  if (ref.prefix !== undefined && ref.prefix !== cache.prefix) throw new Error(`exports always go to the environment prefix ${cache.prefix}, got ${JSON.stringify(ref.prefix)}`);
  return formatCacheAttributes(exportEntries(cache, nameFor(cache, ref)));
}

export interface CacheFlagOptions extends CacheRef {
  /** Import only, never export (production builds). @default false */
  readonly readOnly?: boolean;
}

function flagNames(client: CacheClient): { importFlag: string; exportFlag: string } {
  switch (client) {
    case "buildctl":
      return { importFlag: "--import-cache", exportFlag: "--export-cache" };
    case "buildx":
      return { importFlag: "--cache-from", exportFlag: "--cache-to" };
    default: {
      const unreachable: never = client;
      throw new Error(`unknown cache client ${String(unreachable)}`);
    }
  }
}

/**
 * Command-line arguments for one build: import the default branch and the current branch,
 * export to the current branch (unless read-only).
 */
export function cacheFlags(cache: ResolvedCache, client: CacheClient, options: CacheFlagOptions): string[] {
  const { importFlag, exportFlag } = flagNames(client);
  const project = options.project ?? cache.project;
  const names = [...new Set([cacheName(project, cache.defaultBranch), cacheName(project, options.branch)])];
  const args = names.flatMap((name) => [importFlag, formatCacheAttributes(importEntries(cache, name, options.prefix))]);
  if (!options.readOnly) args.push(exportFlag, cacheExportAttrs(cache, { branch: options.branch, project }));
  return args;
}

/** Same as cacheFlags, with the branch left as `${CACHE_BRANCH}` for a shell to fill in. */
export function cacheFlagsForBranchPattern(cache: ResolvedCache, client: CacheClient, project = cache.project): string[] {
  if (!PROJECT_NAME_PATTERN.test(project)) throw new Error(`expected a project name, got ${JSON.stringify(project)}`);
  const { importFlag, exportFlag } = flagNames(client);
  const patternName = `${project}/${BRANCH_PLACEHOLDER}`;
  return [
    importFlag,
    formatCacheAttributes(importEntries(cache, cacheName(project, cache.defaultBranch))),
    importFlag,
    formatCacheAttributes(importEntries(cache, patternName)),
    exportFlag,
    formatCacheAttributes(exportEntries(cache, patternName)),
  ];
}
