import { auditBucketSet, cacheBucketSet, iamPolicy, mutate, resource, type Resource } from "../fixtures";
import type { PolicyCase } from "./types";

const cache = cacheBucketSet();
const audit = auditBucketSet();
const both = [...cache, ...audit];
/** Replaces the resource named `name` with `change(it)`. */
const changed = (set: Resource[], name: string, change: (r: Resource) => Resource) => set.map((r) => (r.name === name ? change(r) : r));
const without = (set: Resource[], name: string) => set.filter((r) => r.name !== name);

export const s3Cases: PolicyCase[] = [
  { policy: "buildfarm-s3-bucket-encryption", name: "accepts SSE-KMS on every bucket", resources: both, expect: [] },
  {
    policy: "buildfarm-s3-bucket-encryption",
    name: "accepts a side resource pointing at the bucket by the mock id",
    resources: changed(cache, "cache-sse", (r) => mutate(r, ["bucket"], "cache-bucket-id")),
    expect: [],
  },
  {
    policy: "buildfarm-s3-bucket-encryption",
    name: "rejects a bucket without an encryption configuration",
    resources: without(cache, "cache-sse"),
    expect: [["cache-bucket", "bucket acme-buildkit-cache has no default encryption (no BucketServerSideEncryptionConfiguration)"]],
  },
  {
    policy: "buildfarm-s3-bucket-encryption",
    name: "rejects an encryption configuration for another bucket",
    resources: changed(cache, "cache-sse", (r) => mutate(r, ["bucket"], "some-other-bucket")),
    expect: [["cache-bucket", "bucket acme-buildkit-cache has no default encryption (no BucketServerSideEncryptionConfiguration)"]],
  },
  { policy: "buildfarm-s3-public-access-block", name: "accepts all four blocks", resources: both, expect: [] },
  {
    policy: "buildfarm-s3-public-access-block",
    name: "rejects a block with restrictPublicBuckets off",
    resources: changed(audit, "audit-pab", (r) => mutate(r, ["restrictPublicBuckets"], false)),
    expect: [["audit-pab", "bucket acme-build-audit: public access block has restrictPublicBuckets not true"]],
  },
  {
    policy: "buildfarm-s3-public-access-block",
    name: "rejects a bucket without a public access block",
    resources: without(cache, "cache-pab"),
    expect: [["cache-bucket", "bucket acme-buildkit-cache has no BucketPublicAccessBlock"]],
  },
  {
    policy: "buildfarm-s3-public-access-block",
    name: "rejects a public canned ACL and ownership controls that keep ACLs on",
    resources: [
      ...changed(cache, "cache-bucket", (r) => mutate(r, ["acl"], "public-read")),
      resource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "cache-ownership", { bucket: "acme-buildkit-cache", rule: { objectOwnership: "ObjectWriter" } }, "cache"),
    ],
    expect: [
      ["cache-bucket", "bucket acme-buildkit-cache has the public canned ACL public-read"],
      ["cache-ownership", 'bucket acme-buildkit-cache: ownership controls "ObjectWriter" leave ACLs enabled (expected BucketOwnerEnforced)'],
    ],
  },
  { policy: "buildfarm-s3-tls-only", name: "accepts a Deny on aws:SecureTransport false", resources: both, expect: [] },
  {
    policy: "buildfarm-s3-tls-only",
    name: "rejects a bucket policy whose deny only covers PutObject",
    resources: changed(cache, "cache-policy", (r) => mutate(r, ["policy"], String(r.props["policy"]).replace('"Action":"s3:*"', '"Action":"s3:PutObject"'))),
    expect: [["cache-policy", "bucket acme-buildkit-cache has no bucket policy denying non-TLS requests"]],
  },
  {
    policy: "buildfarm-s3-tls-only",
    name: "rejects a bucket without a bucket policy",
    resources: without(audit, "audit-policy"),
    expect: [["audit-bucket", "bucket acme-build-audit has no bucket policy denying non-TLS requests"]],
  },
  { policy: "buildfarm-s3-cache-lifecycle", name: "accepts an enabled expiration rule on the cache bucket", resources: both, expect: [] },
  {
    policy: "buildfarm-s3-cache-lifecycle",
    name: "rejects a cache bucket whose expiry rule is disabled",
    resources: changed(cache, "cache-lifecycle", (r) => mutate(r, ["rules", 0, "status"], "Disabled")),
    expect: [["cache-lifecycle", "cache bucket acme-buildkit-cache has no enabled lifecycle expiration rule"]],
  },
  {
    policy: "buildfarm-s3-cache-lifecycle",
    name: "recognises a cache bucket named in the policy config",
    resources: [resource("aws:s3/bucket:Bucket", "loose-bucket", { bucket: "team-cache" })],
    config: { "buildfarm-s3-cache-lifecycle": { cacheBuckets: ["team-cache"] } },
    expect: [["loose-bucket", "cache bucket team-cache has no enabled lifecycle expiration rule"]],
  },
  { policy: "buildfarm-s3-audit-object-lock", name: "accepts versioning plus a COMPLIANCE retention", resources: both, expect: [] },
  {
    policy: "buildfarm-s3-audit-object-lock",
    name: "rejects suspended versioning on the audit bucket",
    resources: changed(audit, "audit-versioning", (r) => mutate(r, ["versioningConfiguration", "status"], "Suspended")),
    expect: [["audit-versioning", "audit bucket acme-build-audit does not have versioning Enabled"]],
  },
  {
    policy: "buildfarm-s3-audit-object-lock",
    name: "rejects an audit bucket without Object Lock",
    resources: without(changed(audit, "audit-bucket", (r) => mutate(r, ["objectLockEnabled"], undefined)), "audit-lock"),
    expect: [
      ["audit-bucket", "audit bucket acme-build-audit is not created with objectLockEnabled: true"],
      ["audit-bucket", "audit bucket acme-build-audit has no Object Lock default retention (mode and days/years)"],
    ],
  },
  {
    policy: "buildfarm-s3-audit-object-lock",
    name: "recognises an audit bucket by its buildfarm:purpose tag",
    resources: [resource("aws:s3/bucket:Bucket", "tagged", { bucket: "records", objectLockEnabled: true, tags: { "buildfarm:purpose": "audit" } }), ...audit.filter((r) => r.name === "audit-lock").map((r) => mutate(r, ["bucket"], "records"))],
    expect: [["tagged", "audit bucket records does not have versioning Enabled"]],
  },
  { policy: "buildfarm-iam-cache-reader-read-only", name: "accepts a reader with Get and List only", resources: [iamPolicy("prod-cache-reader", ["s3:GetObject"])], expect: [] },
  { policy: "buildfarm-iam-cache-reader-read-only", name: "lets writers write", resources: [iamPolicy("prod-cache-writer", ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"])], expect: [] },
  {
    policy: "buildfarm-iam-cache-reader-read-only",
    name: "rejects a reader granted s3:Put*",
    resources: [iamPolicy("prod-cache-reader", ["s3:GetObject", "s3:Put*"])],
    expect: [["prod-cache-reader", "reader policy grants write actions: s3:PutBucketAcl, s3:PutBucketObjectLockConfiguration, s3:PutBucketPolicy, s3:PutBucketPublicAccessBlock, s3:PutBucketVersioning, s3:PutEncryptionConfiguration, s3:PutLifecycleConfiguration, s3:PutObject, s3:PutObjectAcl, s3:PutObjectLegalHold, s3:PutObjectRetention, s3:PutObjectTagging"]],
  },
  {
    policy: "buildfarm-iam-cache-reader-read-only",
    name: "rejects a reader granted s3:DeleteObject",
    resources: [iamPolicy("ci-readonly", ["s3:GetObject", "s3:DeleteObject"])],
    expect: [["ci-readonly", "reader policy grants write actions: s3:DeleteObject"]],
  },
];

export const iamCases: PolicyCase[] = [
  { policy: "buildfarm-iam-no-destructive-s3", name: "accepts a writer with Put, Abort and List only", resources: [iamPolicy("prod-cache-writer", ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"])], expect: [] },
  {
    policy: "buildfarm-iam-no-destructive-s3",
    name: "rejects a writer allowed to delete objects",
    resources: [iamPolicy("prod-cache-writer", ["s3:PutObject", "s3:DeleteObject"])],
    expect: [["prod-cache-writer", "policy grants destructive S3 actions: s3:DeleteObject"]],
  },
  {
    policy: "buildfarm-iam-no-destructive-s3",
    name: "rejects s3:* (it includes governance bypass)",
    resources: [iamPolicy("audit-writer", ["s3:*"])],
    expect: [["audit-writer", "policy grants destructive S3 actions: s3:BypassGovernanceRetention, s3:DeleteBucket, s3:DeleteBucketPolicy, s3:DeleteObject, s3:DeleteObjectVersion, s3:PutBucketAcl, s3:PutBucketObjectLockConfiguration, s3:PutBucketPolicy, s3:PutBucketPublicAccessBlock, s3:PutBucketVersioning, s3:PutEncryptionConfiguration, s3:PutLifecycleConfiguration, s3:PutObjectAcl, s3:PutObjectLegalHold, s3:PutObjectRetention"]],
  },
];
