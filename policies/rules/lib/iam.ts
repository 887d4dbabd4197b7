import { asArray, asRecord, asString, asStrings, parseJsonish } from "./props";

export interface Statement {
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly principal: unknown;
  readonly resources: string[];
  readonly condition: Record<string, unknown>;
}

/** Statements of an IAM policy document given as JSON text or an object; undefined when unreadable. */
export function statementsOf(document: unknown): Statement[] | undefined {
  const parsed = asRecord(parseJsonish(document));
  if (!parsed) return undefined;
  const raw = parsed["Statement"];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return asArray(list).map((entry) => {
    const s = asRecord(entry) ?? {};
    return {
      effect: asString(s["Effect"]) ?? "",
      actions: asStrings(s["Action"]),
      notActions: asStrings(s["NotAction"]),
      principal: s["Principal"],
      resources: asStrings(s["Resource"]),
      condition: asRecord(s["Condition"]) ?? {},
    };
  });
}

/** IAM action wildcard match (case-insensitive, `*` and `?`). */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return regex.test(action);
}

/**
 * S3 actions that create, change or delete data or its protection. Kept here, apart from the
 * component's own permission constants, so the policy does not weaken when those change.
 */
export const S3_WRITE_ACTIONS = [
  "s3:PutObject",
  "s3:PutObjectAcl",
  "s3:PutObjectTagging",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:DeleteObjectTagging",
  "s3:AbortMultipartUpload",
  "s3:RestoreObject",
  "s3:ReplicateObject",
  "s3:ReplicateDelete",
  "s3:BypassGovernanceRetention",
  "s3:CreateBucket",
  "s3:DeleteBucket",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketPolicy",
  "s3:PutBucketAcl",
  "s3:PutBucketVersioning",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutLifecycleConfiguration",
  "s3:PutEncryptionConfiguration",
  "s3:PutBucketPublicAccessBlock",
];

/** Write actions an Allow statement grants (NotAction grants everything not listed). */
export function grantedWriteActions(statement: Statement): string[] {
  if (statement.effect !== "Allow") return [];
  if (statement.notActions.length > 0) {
    return S3_WRITE_ACTIONS.filter((action) => !statement.notActions.some((pattern) => actionMatches(pattern, action)));
  }
  return S3_WRITE_ACTIONS.filter((action) => statement.actions.some((pattern) => actionMatches(pattern, action)));
}
