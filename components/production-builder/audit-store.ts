import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../distributed-cache/render-policies";
import type { ProductionBuilderSettings } from "./args";
import { renderAuditBucketPolicy, renderAuditEncryptionRule, renderAuditLifecycleRules, renderAuditWriterPolicy, renderObjectLockRule } from "./render-audit";
import { privateBucketControls } from "../common/s3-private-bucket";

export interface AuditStore {
  readonly bucket: aws.s3.Bucket;
  readonly writerPolicy: aws.iam.Policy;
}

/**
 * The audit store: versioned, Object-Locked, encrypted, private, TLS-only, lifecycle to colder storage;
 * the builder role may put records but never delete them.
 */
export function createAuditStore(name: string, settings: ProductionBuilderSettings["auditBucket"], parent: pulumi.Resource): AuditStore {
  const opts = { parent };
  // Object Lock can only be enabled when the bucket is created; it also requires versioning.
  const bucket = new aws.s3.Bucket(`${name}-audit`, {
    bucket: settings.name,
    objectLockEnabled: true,
    forceDestroy: false,
    tags: { "buildfarm:purpose": "build-audit", "buildfarm:role": "prod" },
  }, { parent, protect: true });
  const bucketName = bucket.bucket;
  const versioning = new aws.s3.BucketVersioning(`${name}-audit-versioning`, { bucket: bucketName, versioningConfiguration: { status: "Enabled" } }, opts);
  new aws.s3.BucketObjectLockConfiguration(`${name}-audit-object-lock`, { bucket: bucketName, objectLockEnabled: "Enabled", rule: renderObjectLockRule(settings) }, { parent, dependsOn: [versioning] });
  new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-audit-encryption`, { bucket: bucketName, rules: [renderAuditEncryptionRule(settings)] }, opts);
  const publicAccess = privateBucketControls(`${name}-audit`, bucketName, opts);
  new aws.s3.BucketLifecycleConfiguration(`${name}-audit-lifecycle`, { bucket: bucketName, rules: renderAuditLifecycleRules(settings) }, { parent, dependsOn: [versioning] });

  const identity = aws.getCallerIdentityOutput({}, { parent });
  const partition = aws.getPartitionOutput({}, { parent });
  const writerRoleArn = pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:role/${settings.writerRoleName}`;
  new aws.s3.BucketPolicy(`${name}-audit-policy`, {
    bucket: bucketName,
    policy: writerRoleArn.apply((arn) => policyJson(renderAuditBucketPolicy(settings.name, arn))),
  }, { parent, dependsOn: [publicAccess] });

  const writerPolicy = new aws.iam.Policy(`${name}-audit-writer`, {
    path: "/buildfarm/",
    description: `Write (never delete) build records under s3://${settings.name}/${settings.prefix}/`,
    policy: policyJson(renderAuditWriterPolicy(settings)),
  }, opts);
  new aws.iam.RolePolicyAttachment(`${name}-audit-writer-attachment`, { role: settings.writerRoleName, policyArn: writerPolicy.arn }, opts);
  return { bucket, writerPolicy };
}
