import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { resourcesOfType } from "./policy";
import { asRecord, asString, at } from "./props";
import { COMPONENT, S3 } from "./types";

/**
 * Names a side resource may use to point at a bucket: its `bucket` prop (the bucket name; a real
 * engine passes outputs, where it is always set), the resource name (mocks do no auto-naming),
 * and `<name>-id` (the mock harness's id for `bucket.id` references).
 */
export function bucketKeys(bucket: PolicyResource): string[] {
  const keys = [asString(at(bucket.props, "bucket")), asString(at(bucket.props, "id")), bucket.name, `${bucket.name}-id`];
  return [...new Set(keys.filter((k): k is string => k !== undefined && k !== ""))];
}

/** Side resources of the given types whose `bucket` prop names this bucket. */
export function sideResources(args: StackValidationArgs, bucket: PolicyResource, types: readonly string[]): PolicyResource[] {
  const keys = bucketKeys(bucket);
  return resourcesOfType(args, types).filter((r) => {
    const target = asString(at(r.props, "bucket"));
    return target !== undefined && keys.includes(target);
  });
}

export type BucketPurpose = "cache" | "audit" | "other";

/** Config the S3 purpose-specific policies accept: explicit bucket names per purpose. */
export const bucketPurposeConfigSchema = {
  properties: {
    cacheBuckets: { type: "array" as const, items: { type: "string" as const }, default: [], description: "Bucket names to treat as BuildKit cache buckets." },
    auditBuckets: { type: "array" as const, items: { type: "string" as const }, default: [], description: "Bucket names to treat as audit buckets." },
  },
};

function ancestorTypes(resource: PolicyResource): string[] {
  const types: string[] = [];
  for (let parent = resource.parent; parent; parent = parent.parent) types.push(parent.type);
  return types;
}

/**
 * A bucket's purpose: from policy config, then a `buildfarm:purpose` / `purpose` tag, then the
 * component that owns it (DistributedCache → cache, ProductionBuilder → audit).
 */
export function bucketPurpose(bucket: PolicyResource, config: { cacheBuckets?: string[]; auditBuckets?: string[] }): BucketPurpose {
  const keys = bucketKeys(bucket);
  if ((config.cacheBuckets ?? []).some((b) => keys.includes(b))) return "cache";
  if ((config.auditBuckets ?? []).some((b) => keys.includes(b))) return "audit";
  const tags = asRecord(at(bucket.props, "tags")) ?? {};
  const tag = asString(tags["buildfarm:purpose"]) ?? asString(tags["purpose"]) ?? "";
  // Tag values such as "buildkit-cache" or "build-audit".
  if (/(^|[^a-z])cache([^a-z]|$)/.test(tag)) return "cache";
  if (/(^|[^a-z])audit([^a-z]|$)/.test(tag)) return "audit";
  const ancestors = ancestorTypes(bucket);
  if (ancestors.includes(COMPONENT.productionBuilder)) return "audit";
  if (ancestors.includes(COMPONENT.distributedCache)) return "cache";
  return "other";
}

export function buckets(args: StackValidationArgs): PolicyResource[] {
  return resourcesOfType(args, S3.bucket);
}

/** Display name of a bucket in messages. */
export function bucketLabel(bucket: PolicyResource): string {
  return asString(at(bucket.props, "bucket")) ?? bucket.name;
}
