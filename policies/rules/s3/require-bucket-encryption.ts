import type { BuildfarmStackPolicy } from "../lib/policy";
import { asArray, asString, at } from "../lib/props";
import { bucketLabel, buckets, sideResources } from "../lib/s3";
import { S3 } from "../lib/types";

const ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

/** sseAlgorithm values of every rule in an encryption configuration (side resource `rules` or inline `rule`). */
export function sseAlgorithms(config: unknown): string[] {
  const rules = [...asArray(at(config, "rules")), ...asArray([at(config, "rule")].filter((r) => r !== undefined))];
  return rules.map((rule) => asString(at(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"))).filter((a): a is string => a !== undefined);
}

export const requireBucketEncryption: BuildfarmStackPolicy = {
  name: "buildfarm-s3-bucket-encryption",
  description: "Every S3 bucket has default server-side encryption configured (SSE-S3 or SSE-KMS).",
  remediationSteps: "Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with sseAlgorithm AES256 or aws:kms (buildfarm:cache.encryption).",
  validateStack: (args, reportViolation) => {
    const all = buckets(args);
    if (all.length === 0) args.notApplicable("no S3 buckets");
    for (const bucket of all) {
      const configs = sideResources(args, bucket, S3.encryption);
      const algorithms = [...configs.flatMap((c) => sseAlgorithms(c.props)), ...sseAlgorithms(at(bucket.props, "serverSideEncryptionConfiguration"))];
      if (!algorithms.some((a) => ALGORITHMS.includes(a))) {
        reportViolation(`bucket ${bucketLabel(bucket)} has no default encryption (${configs.length === 0 ? "no BucketServerSideEncryptionConfiguration" : `algorithms ${JSON.stringify(algorithms)}`})`, configs[0]?.urn ?? bucket.urn);
      }
    }
  },
};
