import type { BuildfarmStackPolicy } from "../lib/policy";
import { asNumber, asString, at } from "../lib/props";
import { bucketLabel, bucketPurpose, bucketPurposeConfigSchema, buckets, sideResources } from "../lib/s3";
import { S3 } from "../lib/types";

export const requireAuditObjectLock: BuildfarmStackPolicy = {
  name: "buildfarm-s3-audit-object-lock",
  description: "Every audit bucket has versioning enabled and Object Lock on with a default retention (GOVERNANCE or COMPLIANCE).",
  remediationSteps:
    "Create the audit bucket with objectLockEnabled: true, add an aws.s3.BucketVersioning with status Enabled and an " +
    "aws.s3.BucketObjectLockConfiguration whose rule.defaultRetention sets mode and days (productionBuilder.auditBucket).",
  configSchema: bucketPurposeConfigSchema,
  validateStack: (args, reportViolation) => {
    const auditBuckets = buckets(args).filter((b) => bucketPurpose(b, args.getConfig()) === "audit");
    if (auditBuckets.length === 0) args.notApplicable("no audit buckets");
    for (const bucket of auditBuckets) {
      const label = bucketLabel(bucket);
      const versioning = sideResources(args, bucket, S3.versioning);
      if (!versioning.some((v) => asString(at(v.props, "versioningConfiguration", "status")) === "Enabled")) {
        reportViolation(`audit bucket ${label} does not have versioning Enabled`, versioning[0]?.urn ?? bucket.urn);
      }
      if (at(bucket.props, "objectLockEnabled") !== true) reportViolation(`audit bucket ${label} is not created with objectLockEnabled: true`, bucket.urn);
      const locks = sideResources(args, bucket, S3.objectLock);
      const retained = locks.some((lock) => {
        const retention = at(lock.props, "rule", "defaultRetention");
        const mode = asString(at(retention, "mode"));
        const period = (asNumber(at(retention, "days")) ?? 0) + (asNumber(at(retention, "years")) ?? 0);
        return (mode === "GOVERNANCE" || mode === "COMPLIANCE") && period > 0;
      });
      if (!retained) reportViolation(`audit bucket ${label} has no Object Lock default retention (mode and days/years)`, locks[0]?.urn ?? bucket.urn);
    }
  },
};
