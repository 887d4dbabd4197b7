import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { actionMatches, statementsOf } from "../lib/iam";
import { IAM_POLICY_TYPES } from "../lib/types";

/**
 * Actions no buildfarm identity needs: BuildKit only reads, puts and touches cache objects, the
 * release gate only appends audit records, and lifecycle rules do the deleting.
 */
export const DESTRUCTIVE_S3_ACTIONS = [
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:DeleteBucket",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketPolicy",
  "s3:PutBucketAcl",
  "s3:PutObjectAcl",
  "s3:PutBucketVersioning",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:BypassGovernanceRetention",
  "s3:PutLifecycleConfiguration",
  "s3:PutEncryptionConfiguration",
  "s3:PutBucketPublicAccessBlock",
];

export const forbidDestructiveS3Grants: BuildfarmResourcePolicy = {
  name: "buildfarm-iam-no-destructive-s3",
  description: "No IAM policy grants S3 delete actions or changes to a bucket's policy, ACLs, versioning, Object Lock, lifecycle or encryption (writers included).",
  remediationSteps:
    "Grant writers only s3:PutObject, s3:AbortMultipartUpload and s3:ListMultipartUploadParts on their prefix (lib/permissions.ts). " +
    "Cache cleanup is the lifecycle rule's job; audit records must not be deletable by the role that writes them.",
  validateResource: forTypes(IAM_POLICY_TYPES, (props, _args, reportViolation) => {
    const statements = statementsOf(props["policy"]);
    if (statements === undefined) {
      reportViolation("the policy document is not readable JSON, so it cannot be shown to be safe");
      return;
    }
    const granted = new Set<string>();
    for (const statement of statements) {
      if (statement.effect !== "Allow") continue;
      for (const action of DESTRUCTIVE_S3_ACTIONS) {
        const allowed = statement.notActions.length > 0 ? !statement.notActions.some((p) => actionMatches(p, action)) : statement.actions.some((p) => actionMatches(p, action));
        if (allowed) granted.add(action);
      }
    }
    if (granted.size > 0) reportViolation(`policy grants destructive S3 actions: ${[...granted].sort().join(", ")}`);
  }),
};
