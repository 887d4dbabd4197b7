/** What the one-shot MinIO setup job creates. */
export interface MinioSetupSettings {
  /** MinIO URL on the private network, e.g. "http://minio:9000". */
  readonly endpoint: string;
  readonly bucket: string;
  /** Cache key prefix the lifecycle rule covers, e.g. "buildkit-cache/dev/". */
  readonly prefix: string;
  readonly retentionDays: number;
  /** Name of the bucket-scoped policy attached to the builders' MinIO user. */
  readonly policyName: string;
}

/** Where the job finds its files inside the mc container. */
export const MINIO_SETUP_DIR = "/buildfarm";

/** Lifecycle: expire cache objects under the prefix (MinIO cleans stale multipart uploads itself). */
export function renderMinioLifecycle(settings: MinioSetupSettings): string {
  const lifecycle = {
    Rules: [{ ID: "buildfarm-cache-expiry", Status: "Enabled", Filter: { Prefix: settings.prefix }, Expiration: { Days: settings.retentionDays } }],
  };
  return `${JSON.stringify(lifecycle, null, 2)}\n`;
}

/** Bucket-scoped read/write policy for the builders' MinIO user (list, get, put, multipart). */
export function renderMinioUserPolicy(settings: MinioSetupSettings): string {
  const bucketArn = `arn:aws:s3:::${settings.bucket}`;
  const policy = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: [bucketArn] },
      {
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: [`${bucketArn}/${settings.prefix}*`],
      },
    ],
  };
  return `${JSON.stringify(policy, null, 2)}\n`;
}

/**
 * The job script (POSIX sh, run by the mc image). Idempotent: every step converges, so a re-run
 * after a container replacement changes nothing. Credentials come from the environment only.
 */
export function renderMinioSetupScript(settings: MinioSetupSettings): string {
  const q = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh
# Creates the dev cache bucket, its lifecycle rule and the builders' bucket-scoped MinIO user.
# Needs MINIO_ROOT_USER, MINIO_ROOT_PASSWORD, CACHE_ACCESS_KEY_ID and CACHE_SECRET_ACCESS_KEY.
set -eu

ENDPOINT=${q(settings.endpoint)}
BUCKET=${q(settings.bucket)}
POLICY=${q(settings.policyName)}
DIR=\${BUILDFARM_SETUP_DIR:-${MINIO_SETUP_DIR}}
: "\${MINIO_ROOT_USER:?MINIO_ROOT_USER is not set}"
: "\${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is not set}"
: "\${CACHE_ACCESS_KEY_ID:?CACHE_ACCESS_KEY_ID is not set}"
: "\${CACHE_SECRET_ACCESS_KEY:?CACHE_SECRET_ACCESS_KEY is not set}"

attempt=0
until mc alias set farm "$ENDPOINT" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 30 ]; then
    echo "minio-setup: MinIO at $ENDPOINT did not answer after 30 attempts" >&2
    exit 1
  fi
  sleep 2
done

mc mb --ignore-existing "farm/$BUCKET"
mc anonymous set none "farm/$BUCKET"
mc ilm import "farm/$BUCKET" < "$DIR/lifecycle.json"

mc admin policy create farm "$POLICY" "$DIR/cache-policy.json"
mc admin user add farm "$CACHE_ACCESS_KEY_ID" "$CACHE_SECRET_ACCESS_KEY"
if ! mc admin user info farm "$CACHE_ACCESS_KEY_ID" | grep -q "$POLICY"; then
  mc admin policy attach farm "$POLICY" --user "$CACHE_ACCESS_KEY_ID"
fi
echo "minio-setup: bucket $BUCKET ready"
`;
}
