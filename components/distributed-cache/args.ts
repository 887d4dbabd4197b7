import { z } from "zod";
import { durationSchema, sizeSchema } from "../../lib/units";

/** S3 bucket naming rules (general purpose buckets). */
export const bucketNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "expected an S3 bucket name: 3-63 lower-case letters, digits, dots and dashes, starting and ending with a letter or digit" })
  .refine((name) => !name.includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(name) && !name.startsWith("xn--") && !name.endsWith("-s3alias"), {
    error: "expected an S3 bucket name without \"..\", not an IP address, not starting with \"xn--\" nor ending with \"-s3alias\"",
  });

const cacheCommon = {
  bucket: bucketNameSchema,
  /** Key prefix for every cache object; the environment is appended. @default "buildkit-cache" */
  prefix: z.string().regex(/^[a-z0-9][a-z0-9/_-]*$/, { error: "expected a key prefix like \"buildkit-cache\"" }).default("buildkit-cache"),
  /** Lifecycle expiry of cache objects; must be several times `touchRefresh`. @default 30 */
  retentionDays: z.number().int().positive({ error: "expected a whole number of days greater than 0" }).default(30),
  /** How often BuildKit re-touches still-used blobs. @default "24h" */
  touchRefresh: durationSchema.default("24h"),
  /** Alarm threshold on the bucket size (S3 has no quota). @default - no alarm */
  sizeLimit: sizeSchema.optional(),
  /** `mode=max` exports every intermediate step. @default "max" */
  mode: z.enum(["min", "max"]).default("max"),
  /** @default 5 */
  retryMaxAttempts: z.number().int().min(1).max(20).default(5),
  /** @default 8 */
  uploadParallelism: z.number().int().min(1).max(64).default(8),
  /** Branch whose cache every build imports. @default "main" */
  defaultBranch: z.string().min(1).default("main"),
};

export const distributedCacheSchema = z.discriminatedUnion("backend", [
  z.strictObject({
    backend: z.literal("aws"),
    ...cacheCommon,
    region: z.string({ error: "expected an AWS region like \"eu-west-1\" (required for backend aws)" }).regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "expected an AWS region like \"eu-west-1\"" }),
    encryption: z
      .strictObject({
        /** @default "sse-s3" */
        type: z.enum(["sse-s3", "sse-kms"]).default("sse-s3"),
        kmsKeyArn: z.string().startsWith("arn:").optional(),
        /** @default true */
        bucketKey: z.boolean().default(true),
      })
      .prefault({}),
    /** SNS topic for alarms; created when absent. @default - a new topic */
    alarmTopicArn: z.string().startsWith("arn:").optional(),
    /** IAM role names granted write access. @default [] */
    writerRoles: z.array(z.string().min(1)).default([]),
    /** IAM role names granted read-only access. @default [] */
    readerRoles: z.array(z.string().min(1)).default([]),
    /** Create IAM users with access keys for builders outside AWS. @default false */
    createBuilderUsers: z.boolean().default(false),
  }),
  z.strictObject({
    backend: z.literal("s3-compatible"),
    ...cacheCommon,
    /** @default "us-east-1" */
    region: z.string().min(1).default("us-east-1"),
    endpoint: z.url({ error: "expected an https URL like \"https://minio.internal:9000\"" }),
    /** Permit a plain-http endpoint (dev only). @default false */
    allowInsecureEndpoint: z.boolean().default(false),
    /** @default true */
    usePathStyle: z.boolean().default(true),
  }),
]);

export type DistributedCacheSettings = z.output<typeof distributedCacheSchema>;
export type DistributedCacheInput = z.input<typeof distributedCacheSchema>;
