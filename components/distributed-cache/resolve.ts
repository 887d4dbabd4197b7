import { parseDuration, parseSize } from "../../lib/units";
import type { DistributedCacheSettings } from "./args";
import { environmentPrefix, goDuration } from "./naming";

export type CacheEnvironment = "dev" | "prod";

/** Everything the renderers need, fully filled: where the cache lives and how BuildKit talks to it. */
export interface ResolvedCache {
  readonly backend: DistributedCacheSettings["backend"];
  readonly environment: CacheEnvironment;
  readonly bucket: string;
  readonly region: string;
  /** The s3-compatible endpoint; undefined on aws (the SDK's regional endpoint). */
  readonly endpoint: string | undefined;
  readonly usePathStyle: boolean;
  /** The environment's key prefix, ending in "/". */
  readonly prefix: string;
  readonly project: string;
  readonly defaultBranch: string;
  readonly retentionDays: number;
  /** `touch_refresh` as a Go duration. */
  readonly touchRefresh: string;
  readonly mode: "min" | "max";
  readonly retryMode: "standard" | "adaptive";
  readonly retryMaxAttempts: number;
  readonly uploadParallelism: number;
  /** The size alarm threshold in bytes. */
  readonly sizeLimitBytes: number | undefined;
}

/** Applies the environment namespace and unit conversions; settings are already schema-validated. */
export function resolveCache(settings: DistributedCacheSettings, environment: CacheEnvironment): ResolvedCache {
  const touchSeconds = parseDuration(settings.touchRefresh);
  if (touchSeconds === undefined) throw new Error(`cache.touchRefresh: expected a duration, got ${JSON.stringify(settings.touchRefresh)}`);
  const sizeLimitBytes = settings.sizeLimit === undefined ? undefined : parseSize(settings.sizeLimit);
  if (settings.sizeLimit !== undefined && sizeLimitBytes === undefined) throw new Error(`cache.sizeLimit: expected a size, got ${JSON.stringify(settings.sizeLimit)}`);
  return {
    backend: settings.backend,
    environment,
    bucket: settings.bucket,
    region: settings.region,
    endpoint: settings.backend === "s3-compatible" ? settings.endpoint.replace(/\/+$/, "") : undefined,
    usePathStyle: settings.backend === "s3-compatible" ? settings.usePathStyle : false,
    prefix: environmentPrefix(settings.prefix, environment),
    project: settings.project,
    defaultBranch: settings.defaultBranch,
    retentionDays: settings.retentionDays,
    touchRefresh: goDuration(touchSeconds),
    mode: settings.mode,
    retryMode: settings.retryMode,
    retryMaxAttempts: settings.retryMaxAttempts,
    uploadParallelism: settings.uploadParallelism,
    sizeLimitBytes,
  };
}
