import type * as pulumi from "@pulumi/pulumi";
import { cacheExportAttrs, cacheImportAttrs, type DistributedCache } from "../components/distributed-cache";
import type { CacheOutput } from "./outputs";

/** The `cache` output: where the cache is, and the default branch's import/export values for buildctl and buildx. */
export function cacheOutput(cache: DistributedCache): pulumi.Output<CacheOutput> {
  const resolved = cache.resolved;
  const ref = { branch: resolved.defaultBranch };
  const importValue = cacheImportAttrs(resolved, ref);
  const exportValue = cacheExportAttrs(resolved, ref);
  return cache.bucketName.apply((bucket) => ({
    backend: resolved.backend,
    bucket,
    region: resolved.region,
    endpoint: resolved.endpoint ?? null,
    prefix: resolved.prefix,
    importCache: importValue,
    exportCache: exportValue,
    // buildx takes the same attribute text under --cache-from / --cache-to.
    cacheFrom: importValue,
    cacheTo: exportValue,
  }));
}
