import type { BuildfarmStackPolicy } from "../lib/policy";
import { at } from "../lib/props";
import { bucketLabel, buckets, sideResources } from "../lib/s3";
import { S3 } from "../lib/types";

export const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const requirePublicAccessBlock: BuildfarmStackPolicy = {
  name: "buildfarm-s3-public-access-block",
  description: "Every S3 bucket has a BucketPublicAccessBlock with all four blocks on.",
  remediationSteps: "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
  validateStack: (args, reportViolation) => {
    const all = buckets(args);
    if (all.length === 0) args.notApplicable("no S3 buckets");
    for (const bucket of all) {
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
