import type { BuildfarmStackPolicy } from "../lib/policy";
import { asString, at } from "../lib/props";
import { bucketLabel, buckets, sideResources } from "../lib/s3";
import { S3 } from "../lib/types";

export const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** Canned ACLs that open a bucket to everyone (or every AWS account). */
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

export const requirePublicAccessBlock: BuildfarmStackPolicy = {
  name: "buildfarm-s3-public-access-block",
  description: "Every S3 bucket has a BucketPublicAccessBlock with all four blocks on, no public canned ACL, and ACLs disabled where ownership controls are set.",
  remediationSteps:
    "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true; " +
    "drop public canned ACLs and use BucketOwnershipControls with objectOwnership BucketOwnerEnforced.",
  validateStack: (args, reportViolation) => {
    const all = buckets(args);
    if (all.length === 0) args.notApplicable("no S3 buckets");
    for (const bucket of all) {
      const acl = asString(at(bucket.props, "acl"));
      if (acl !== undefined && PUBLIC_ACLS.includes(acl)) reportViolation(`bucket ${bucketLabel(bucket)} has the public canned ACL ${acl}`, bucket.urn);
      for (const ownership of sideResources(args, bucket, S3.ownershipControls)) {
        const mode = asString(at(ownership.props, "rule", "objectOwnership"));
        if (mode !== "BucketOwnerEnforced") reportViolation(`bucket ${bucketLabel(bucket)}: ownership controls ${JSON.stringify(mode ?? null)} leave ACLs enabled (expected BucketOwnerEnforced)`, ownership.urn);
      }
      const blocks = sideResources(args, bucket, S3.publicAccessBlock);
      if (blocks.length === 0) {
        reportViolation(`bucket ${bucketLabel(bucket)} has no BucketPublicAccessBlock`, bucket.urn);
        continue;
      }
      for (const block of blocks) {
        const off = PUBLIC_ACCESS_FLAGS.filter((flag) => at(block.props, flag) !== true);
        if (off.length > 0) reportViolation(`bucket ${bucketLabel(bucket)}: public access block has ${off.join(", ")} not true`, block.urn);
      }
    }
  },
};
