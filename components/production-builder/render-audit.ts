import { AUDIT_DENIED_ACTIONS, AUDIT_WRITE_ACTIONS, CACHE_KMS_WRITE_ACTIONS } from "../../lib/permissions";
import type { PolicyDocument, PolicyStatement } from "../distributed-cache/render-policies";
import type { ProductionBuilderSettings } from "./args";

type AuditBucketSettings = ProductionBuilderSettings["auditBucket"];

export function auditBucketArn(bucket: string, partition = "aws"): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/** Bucket policy: TLS only for everyone, and no deletes or retention changes by the builder role. */
export function renderAuditBucketPolicy(bucket: string, writerRoleArn: string): PolicyDocument {
  const arn = auditBucketArn(bucket);
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
      { Sid: "DenyBuilderDeletes", Effect: "Deny", Principal: "*", Action: [...AUDIT_DENIED_ACTIONS], Resource: [arn, `${arn}/*`], Condition: { ArnEquals: { "aws:PrincipalArn": writerRoleArn } } },
    ],
  };
}

/** The builder role: put records under the prefix; deletes and retention changes explicitly denied. */
export function renderAuditWriterPolicy(settings: AuditBucketSettings): PolicyDocument {
  const arn = auditBucketArn(settings.name);
  const statements: PolicyStatement[] = [
    { Sid: "WriteBuildRecords", Effect: "Allow", Action: [...AUDIT_WRITE_ACTIONS], Resource: `${arn}/${settings.prefix}/*` },
    { Sid: "NeverDeleteBuildRecords", Effect: "Deny", Action: [...AUDIT_DENIED_ACTIONS], Resource: [arn, `${arn}/*`] },
  ];
  if (settings.encryption === "sse-kms" && settings.kmsKeyArn !== undefined) {
    statements.push({ Sid: "EncryptBuildRecords", Effect: "Allow", Action: [...CACHE_KMS_WRITE_ACTIONS], Resource: settings.kmsKeyArn });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Lifecycle: records and their old versions move to colder storage; nothing expires (Object Lock keeps them). */
export function renderAuditLifecycleRules(settings: AuditBucketSettings) {
  return [
    {
      id: "build-records-to-colder-storage",
      status: "Enabled",
      filter: { prefix: `${settings.prefix}/` },
      transitions: [{ days: settings.transitionDays, storageClass: settings.transitionStorageClass }],
      noncurrentVersionTransitions: [{ noncurrentDays: settings.transitionDays, storageClass: settings.transitionStorageClass }],
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
  ];
}

/** `aws.s3.BucketObjectLockConfiguration` rule: the default retention of every record. */
export function renderObjectLockRule(settings: AuditBucketSettings) {
  return { defaultRetention: { mode: settings.objectLockMode === "compliance" ? "COMPLIANCE" : "GOVERNANCE", days: settings.retentionDays } };
}

/** Server-side encryption by default (SSE-S3, or SSE-KMS with a bucket key). */
export function renderAuditEncryptionRule(settings: AuditBucketSettings) {
  switch (settings.encryption) {
    case "sse-kms":
      return { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: settings.kmsKeyArn }, bucketKeyEnabled: true };
    case "sse-s3":
      return { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: false };
    default: {
      const unreachable: never = settings.encryption;
      throw new Error(`unknown encryption ${String(unreachable)}`);
    }
  }
}
