import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * The controls every bucket of ours carries: ACLs disabled (BucketOwnerEnforced) and all four public-access blocks.
 * Returns the public-access block, which a bucket policy should depend on.
 */
export function privateBucketControls(prefix: string, bucket: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): aws.s3.BucketPublicAccessBlock {
  new aws.s3.BucketOwnershipControls(`${prefix}-ownership`, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
  return new aws.s3.BucketPublicAccessBlock(`${prefix}-public-access`, {
    bucket,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  }, opts);
}
