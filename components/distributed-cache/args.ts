import { z } from "zod";
import { durationSchema, sizeSchema } from "../../lib/units";
import { PROJECT_NAME_PATTERN, sanitiseBranch } from "./naming";

/** S3 bucket naming rules (general purpose buckets). */
export const bucketNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "expected an S3 bucket name: 3-63 lower-case letters, digits, dots and dashes, starting and ending with a letter or digit" })
  .refine((name) => !name.includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(name) && !name.startsWith("xn--") && !name.endsWith("-s3alias") && !name.endsWith("--ol-s3"), {
    error: "expected an S3 bucket name without \"..\", not an IP address, not starting with \"xn--\" nor ending with \"-s3alias\" or \"--ol-s3\"",
  });

const branchSchema = z.string().refine(
  (branch) => {
    try {
      sanitiseBranch(branch);
      return true;
    } catch {
      return false;
    }
  },
  { error: "expected a branch name with at least one letter or digit" },
);

const cacheCommon = {
  bucket: bucketNameSchema,
  /** Key prefix for every cache object; `/<environment>/` is appended. @default "buildkit-cache" */
  prefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/, { error: "expected a key prefix like \"buildkit-cache\" (lower-case segments separated by \"/\", no leading or trailing \"/\")" })
    .default("buildkit-cache"),
  /** Project part of every manifest name (`<project>/<branch>`). @default "buildfarm" */
  project: z.string().regex(PROJECT_NAME_PATTERN, { error: "expected a project name like \"web-app\" (lower-case letters, digits, \".\", \"_\", \"-\")" }).default("buildfarm"),
  /** Lifecycle expiry of cache objects in days; must be several times `touchRefresh`. @default 30 */
  retentionDays: z.number().int({ error: "expected a whole number of days" }).positive({ error: "expected a whole number of days greater than 0" }).default(30),
  /** How often BuildKit re-touches still-used blobs (`touch_refresh`), set explicitly. @default "24h" */
  touchRefresh: durationSchema.default("24h"),
  /** Alarm threshold on the bucket size (S3 has no quota). @default - no alarm */
  sizeLimit: sizeSchema.optional(),
  /** `mode=max` exports every intermediate step. @default "max" */
  mode: z.enum(["min", "max"]).default("max"),
  /** AWS SDK retry mode; adaptive adds client-side rate limiting to the backoff. @default "adaptive" */
  retryMode: z.enum(["standard", "adaptive"]).default("adaptive"),
  /** Attempts per S3 call, with exponential backoff between them. @default 5 */
  retryMaxAttempts: z.number().int().min(1).max(20).default(5),
  /** Concurrent blob uploads on export. @default 8 */
  uploadParallelism: z.number().int().min(1).max(64).default(8),
  /** Branch whose cache every build imports. @default "main" */
  defaultBranch: branchSchema.default("main"),
};

/** Error-rate alarms on the request metrics of the cache prefix (aws only). */
const errorAlarmsSchema = z
  .strictObject({
    /**
     * 4xx share of requests, in percent. BuildKit HEADs every blob before upload, so 404s are
     * normal; a jump towards 100 means 403s (permissions, expired keys). @default 80
     */
    clientErrorPercent: z.number().positive().max(100).default(80),
    /** 5xx share of requests, in percent. @default 5 */
    serverErrorPercent: z.number().positive().max(100).default(5),
    /** Consecutive 5-minute periods over the threshold before the alarm fires. @default 3 */
    evaluationPeriods: z.number().int().min(1).max(288).default(3),
  })
  .prefault({});

export const distributedCacheSchema = z.discriminatedUnion("backend", [
  z.strictObject({
    backend: z.literal("aws"),
    ...cacheCommon,
    /** The bucket's region (required). */
    region: z.string({ error: "expected an AWS region like \"eu-west-1\" (required for backend aws)" }).regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "expected an AWS region like \"eu-west-1\"" }),
    encryption: z
      .strictObject({
        /** @default "sse-s3" */
        type: z.enum(["sse-s3", "sse-kms"]).default("sse-s3"),
        /** Customer-managed key for sse-kms. @default - the AWS-managed aws/s3 key */
        kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:/, { error: "expected a KMS key ARN like \"arn:aws:kms:eu-west-1:123456789012:key/…\"" }).optional(),
        /** S3 Bucket Key (fewer KMS calls) for sse-kms. @default true */
        bucketKey: z.boolean().default(true),
      })
      .prefault({}),
    /** SNS topic for alarms. @default - a new topic */
    alarmTopicArn: z.string().regex(/^arn:aws[a-z-]*:sns:/, { error: "expected an SNS topic ARN" }).optional(),
    errorAlarms: errorAlarmsSchema,
    /** IAM role names granted write access. @default [] */
    writerRoles: z.array(z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: "expected an IAM role name" })).default([]),
    /** IAM role names granted read-only access. @default [] */
    readerRoles: z.array(z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: "expected an IAM role name" })).default([]),
    /** Create a writer and a reader IAM user with access keys for builders outside AWS. @default false */
    createBuilderUsers: z.boolean().default(false),
  }),
  z.strictObject({
    backend: z.literal("s3-compatible"),
    ...cacheCommon,
    /** Region the store signs with. @default "us-east-1" */
    region: z.string().min(1).default("us-east-1"),
    /** The store's S3 endpoint; https unless `allowInsecureEndpoint` (dev only). */
    endpoint: z.url({ protocol: /^https?$/, error: "expected an https URL like \"https://minio.internal:9000\"" }),
    /** Permit a plain-http endpoint (dev only). @default false */
    allowInsecureEndpoint: z.boolean().default(false),
    /** Path-style addressing (`endpoint/bucket/key`), what MinIO expects. @default true */
    usePathStyle: z.boolean().default(true),
  }),
]);

export type DistributedCacheSettings = z.output<typeof distributedCacheSchema>;
export type DistributedCacheInput = z.input<typeof distributedCacheSchema>;
export type AwsCacheSettings = Extract<DistributedCacheSettings, { backend: "aws" }>;
export type S3CompatibleCacheSettings = Extract<DistributedCacheSettings, { backend: "s3-compatible" }>;
