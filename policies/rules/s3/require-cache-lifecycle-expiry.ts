import type { BuildfarmStackPolicy } from "../lib/policy";
import { asArray, asNumber, asString, at } from "../lib/props";
import { bucketLabel, bucketPurpose, bucketPurposeConfigSchema, buckets, sideResources } from "../lib/s3";
import { S3 } from "../lib/types";

/** Expiry days of every enabled rule that expires current objects. */
export function expiryDays(config: unknown): number[] {
  return asArray(at(config, "rules"))
    .filter((rule) => asString(at(rule, "status")) === "Enabled")
    .map((rule) => asNumber(at(rule, "expiration", "days")))
    .filter((days): days is number => days !== undefined && days > 0);
}

export const requireCacheLifecycleExpiry: BuildfarmStackPolicy = {
  name: "buildfarm-s3-cache-lifecycle",
  description: "Every BuildKit cache bucket has an enabled lifecycle rule that expires objects (S3 has no quota; expiry is the cleanup).",
  remediationSteps:
    "Add an aws.s3.BucketLifecycleConfiguration with an Enabled rule and expiration.days (buildfarm:cache.retentionDays), several times " +
    "touchRefresh so live blobs are never deleted (moby/buildkit#3223).",
  configSchema: bucketPurposeConfigSchema,
  validateStack: (args, reportViolation) => {
    const cacheBuckets = buckets(args).filter((b) => bucketPurpose(b, args.getConfig()) === "cache");
    if (cacheBuckets.length === 0) args.notApplicable("no cache buckets");
    for (const bucket of cacheBuckets) {
      const configs = sideResources(args, bucket, S3.lifecycle);
      if (!configs.some((c) => expiryDays(c.props).length > 0)) {
        reportViolation(`cache bucket ${bucketLabel(bucket)} has no enabled lifecycle expiration rule`, configs[0]?.urn ?? bucket.urn);
      }
    }
  },
};
