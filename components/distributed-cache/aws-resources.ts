import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsCacheSettings } from "./args";
import type { AlarmSpec } from "./render-alarms";
import type { RenderedCache } from "./render-artifacts";
import { requestMetricsFilterId } from "./render-artifacts";
import { policyJson } from "./render-policies";
import type { ResolvedCache } from "./resolve";
import { privateBucketControls } from "../common/s3-private-bucket";

/** A builder key pair; both halves are Pulumi secrets. */
export interface CacheAccessKey {
  readonly accessKeyId: pulumi.Output<string>;
  readonly secretAccessKey: pulumi.Output<string>;
}

export interface AwsCacheResources {
  readonly bucket: aws.s3.Bucket;
  readonly readerPolicy: aws.iam.Policy;
  readonly writerPolicy: aws.iam.Policy;
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly writerKey: CacheAccessKey | undefined;
  readonly readerKey: CacheAccessKey | undefined;
}

/** Wires the bucket, its side resources, alarms and IAM objects as children of `parent`. */
export function createAwsCacheResources(name: string, parent: pulumi.Resource, cache: ResolvedCache, settings: AwsCacheSettings, rendered: RenderedCache): AwsCacheResources {
  const opts = { parent };
  const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: cache.bucket, forceDestroy: false, tags: { "buildfarm:purpose": "buildkit-cache", "buildfarm:environment": cache.environment } }, opts);
  const bucketName = bucket.bucket;

  const encryption = settings.encryption;
  new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
    bucket: bucketName,
    rules: [
      encryption.type === "sse-kms"
        ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: encryption.kmsKeyArn }, bucketKeyEnabled: encryption.bucketKey }
        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ],
  }, opts);
  const publicAccess = privateBucketControls(`${name}`, bucketName, opts);
  new aws.s3.BucketPolicy(`${name}-policy`, { bucket: bucketName, policy: policyJson(rendered.bucketPolicy) }, { parent, dependsOn: [publicAccess] });
  // A cache needs no history; versions of expired blobs would only cost money.
  new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucketName, versioningConfiguration: { status: "Disabled" } }, opts);
  new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
    bucket: bucketName,
    rules: rendered.lifecycleRules.map((rule) => ({
      id: rule.ID,
      status: rule.Status,
      filter: { prefix: rule.Filter.Prefix },
      expiration: rule.Expiration ? { days: rule.Expiration.Days } : undefined,
      abortIncompleteMultipartUpload: rule.AbortIncompleteMultipartUpload ? { daysAfterInitiation: rule.AbortIncompleteMultipartUpload.DaysAfterInitiation } : undefined,
    })),
  }, opts);
  new aws.s3.BucketMetric(`${name}-request-metrics`, { bucket: bucketName, name: requestMetricsFilterId(cache), filter: { prefix: cache.prefix } }, opts);

  const alarmTopicArn = settings.alarmTopicArn !== undefined
    ? pulumi.output(settings.alarmTopicArn)
    // No SSE with the AWS-managed alias/aws/sns key: its key policy does not let CloudWatch publish,
    // so encrypted alarms would be dropped silently. Alarm texts hold no secrets.
    : new aws.sns.Topic(`${name}-alarms`, { displayName: `BuildKit cache ${cache.bucket}` }, opts).arn;
  for (const spec of rendered.alarms) createAlarm(name, spec, alarmTopicArn, opts);

  const readerPolicy = new aws.iam.Policy(`${name}-reader`, { path: "/buildfarm/", description: `Read the BuildKit cache under s3://${cache.bucket}/${cache.prefix}`, policy: policyJson(rendered.readerPolicy) }, opts);
  const writerPolicy = new aws.iam.Policy(`${name}-writer`, { path: "/buildfarm/", description: `Read and write the BuildKit cache under s3://${cache.bucket}/${cache.prefix}`, policy: policyJson(rendered.writerPolicy) }, opts);

  const userKey = (access: "writer" | "reader", policy: aws.iam.Policy): CacheAccessKey => {
    const user = new aws.iam.User(`${name}-${access}-user`, { name: `${cache.bucket.slice(0, 40)}-${cache.environment}-${access}`, path: "/buildfarm/" }, opts);
    new aws.iam.UserPolicyAttachment(`${name}-${access}-user-policy`, { user: user.name, policyArn: policy.arn }, opts);
    const key = new aws.iam.AccessKey(`${name}-${access}-key`, { user: user.name }, { parent, additionalSecretOutputs: ["secret"] });
    return { accessKeyId: pulumi.secret(key.id), secretAccessKey: pulumi.secret(key.secret) };
  };
  const writerKey = settings.createBuilderUsers ? userKey("writer", writerPolicy) : undefined;
  const readerKey = settings.createBuilderUsers ? userKey("reader", readerPolicy) : undefined;
  return { bucket, readerPolicy, writerPolicy, alarmTopicArn, writerKey, readerKey };
}

function createAlarm(name: string, spec: AlarmSpec, topicArn: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(`${name}-${spec.key}-alarm`, {
    alarmDescription: spec.alarmDescription,
    comparisonOperator: spec.comparisonOperator,
    threshold: spec.threshold,
    evaluationPeriods: spec.evaluationPeriods,
    treatMissingData: spec.treatMissingData,
    namespace: spec.namespace,
    metricName: spec.metricName,
    dimensions: spec.dimensions,
    period: spec.period,
    statistic: spec.statistic,
    metricQueries: spec.metricQueries?.map((query) => ({
      id: query.id,
      expression: query.expression,
      label: query.label,
      returnData: query.returnData,
      metric: query.metric ? { namespace: query.metric.namespace, metricName: query.metric.metricName, dimensions: query.metric.dimensions, period: query.metric.period, stat: query.metric.stat } : undefined,
    })),
    alarmActions: [topicArn],
    okActions: [topicArn],
  }, opts);
}
