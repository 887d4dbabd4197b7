import { CACHE_KMS_READ_ACTIONS, CACHE_KMS_WRITE_ACTIONS, CACHE_LIST_ACTIONS, CACHE_READ_ACTIONS, CACHE_WRITE_ACTIONS } from "../../lib/permissions";

/** An IAM policy document, as JSON-ready data. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: string;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string>>;
}

export interface PolicyTarget {
  readonly bucket: string;
  /** The environment's cache prefix, ending in "/". */
  readonly prefix: string;
  /** Customer-managed KMS key, when the bucket uses one. */
  readonly kmsKeyArn?: string;
  /** @default "aws" */
  readonly partition?: string;
}

export type CacheAccess = "read" | "write";

function bucketArn(target: PolicyTarget): string {
  return `arn:${target.partition ?? "aws"}:s3:::${target.bucket}`;
}

/** Reader: list the bucket, get objects under the prefix. Writer: additionally put/abort there. Nothing else. */
export function renderCachePolicy(target: PolicyTarget, access: CacheAccess): PolicyDocument {
  const objects = `${bucketArn(target)}/${target.prefix}*`;
  const statements: PolicyStatement[] = [
    { Sid: "ListCacheBucket", Effect: "Allow", Action: [...CACHE_LIST_ACTIONS], Resource: bucketArn(target) },
  ];
  switch (access) {
    case "read":
      statements.push({ Sid: "ReadCacheObjects", Effect: "Allow", Action: [...CACHE_READ_ACTIONS], Resource: objects });
      if (target.kmsKeyArn) statements.push({ Sid: "DecryptCacheObjects", Effect: "Allow", Action: [...CACHE_KMS_READ_ACTIONS], Resource: target.kmsKeyArn });
      break;
    case "write":
      statements.push({ Sid: "ReadWriteCacheObjects", Effect: "Allow", Action: [...CACHE_READ_ACTIONS, ...CACHE_WRITE_ACTIONS].sort(), Resource: objects });
      if (target.kmsKeyArn) statements.push({ Sid: "EncryptCacheObjects", Effect: "Allow", Action: [...CACHE_KMS_WRITE_ACTIONS], Resource: target.kmsKeyArn });
      break;
    default: {
      const unreachable: never = access;
      throw new Error(`unknown cache access ${String(unreachable)}`);
    }
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Bucket policy: deny every request that does not use TLS. */
export function renderBucketPolicy(target: PolicyTarget): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn(target), `${bucketArn(target)}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/** One lifecycle rule in the shape S3 (and MinIO's `mc ilm import`) reads. */
export interface LifecycleRule {
  readonly ID: string;
  readonly Status: "Enabled";
  readonly Filter: { readonly Prefix: string };
  readonly Expiration?: { readonly Days: number };
  readonly AbortIncompleteMultipartUpload?: { readonly DaysAfterInitiation: number };
}

/** Days after which an unfinished multipart upload is aborted. */
export const ABORT_MULTIPART_DAYS = 1;

/**
 * Expire everything under each cache prefix after `retentionDays` (blobs still in use are
 * re-touched every touch_refresh, which resets their age), and abort stale multipart uploads.
 */
export function renderLifecycleRules(prefixes: readonly string[], retentionDays: number, includeAbortMultipart = true): LifecycleRule[] {
  if (!Number.isInteger(retentionDays) || retentionDays <= 0) throw new Error(`expected retentionDays > 0, got ${retentionDays}`);
  const rules: LifecycleRule[] = [...new Set(prefixes)].sort().map((prefix) => ({
    ID: `expire-${prefix.replace(/\/+$/, "").replace(/[^A-Za-z0-9]+/g, "-")}`,
    Status: "Enabled",
    Filter: { Prefix: prefix },
    Expiration: { Days: retentionDays },
  }));
  if (includeAbortMultipart) {
    rules.push({ ID: "abort-incomplete-multipart-uploads", Status: "Enabled", Filter: { Prefix: "" }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_MULTIPART_DAYS } });
  }
  return rules;
}

/** Deterministic JSON text for artifacts and IAM inputs. */
export function policyJson(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
