/**
 * Named IAM action lists. Grants and policy documents use these constants only, so a reviewer
 * (and the policy pack) can check what each role may do in one place.
 */

/**
 * Bucket-level listing. BuildKit HEADs blobs before upload; without s3:ListBucket a missing key
 * answers 403 instead of 404 and builds fail with "failed to check file presence in cache"
 * (moby/buildkit#3211). It is granted on the whole (dedicated) bucket: HeadObject requests carry
 * no `s3:prefix`, so a prefix condition would bring the 403 back.
 */
export const CACHE_LIST_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket"] as const;

/** Object reads under the cache prefix: manifests and blobs (GetObject also covers HeadObject). */
export const CACHE_READ_ACTIONS = ["s3:GetObject"] as const;

/**
 * Object writes under the cache prefix: blob and manifest uploads (multipart via the transfer
 * manager) and the touch, a CopyObject/UploadPartCopy onto itself, which needs Get + Put.
 */
export const CACHE_WRITE_ACTIONS = ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject"] as const;

/** On a customer-managed KMS key (SSE-KMS): reading decrypts. */
export const CACHE_KMS_READ_ACTIONS = ["kms:Decrypt"] as const;

/** On a customer-managed KMS key (SSE-KMS): writing generates data keys (and multipart needs Decrypt). */
export const CACHE_KMS_WRITE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

/** Actions that change stored objects; a reader policy must contain none of them. */
export const S3_MUTATING_ACTIONS = [
  "s3:*",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:PutObjectAcl",
  "s3:PutBucketPolicy",
  "s3:PutLifecycleConfiguration",
  "s3:AbortMultipartUpload",
] as const;

/**
 * Audit store (ProductionBuilder): the production builder writes build records and scan reports.
 * PutObject only: Object Lock applies the bucket's default retention, so no retention actions are needed.
 */
export const AUDIT_WRITE_ACTIONS = ["s3:PutObject"] as const;

/** Denied explicitly to the audit writer: records are never deleted, shortened or unlocked by the builder. */
export const AUDIT_DENIED_ACTIONS = [
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:BypassGovernanceRetention",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketPolicy",
  "s3:DeleteBucket",
] as const;
