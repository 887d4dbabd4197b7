import { forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { grantedWriteActions, statementsOf } from "../lib/iam";
import { asRecord, asString, type Props } from "../lib/props";
import { IAM_POLICY_TYPES } from "../lib/types";

const READER = /(^|[^a-z])(readers?|readonly|read-only|read_only|ro)([^a-z]|$)/i;

/** A cache reader policy: named as a reader (resource name, `name` prop) or tagged `buildfarm:access: read`. */
export function isReaderPolicy(name: string, props: Props): boolean {
  const tags = asRecord(props["tags"]) ?? {};
  if (asString(tags["buildfarm:access"]) === "read") return true;
  return READER.test(name) || READER.test(asString(props["name"]) ?? "");
}

export const forbidCacheReaderWrites: BuildfarmResourcePolicy = {
  name: "buildfarm-iam-cache-reader-read-only",
  description: "IAM policies for cache readers grant no S3 write, delete or configuration actions.",
  remediationSteps:
    "Grant readers only s3:GetObject, s3:ListBucket and s3:GetBucketLocation (and kms:Decrypt). Writers get a separate policy; " +
    "never use s3:* or NotAction in a reader policy.",
  validateResource: forTypes(IAM_POLICY_TYPES, (props, args, reportViolation) => {
    if (!isReaderPolicy(args.name, props)) args.notApplicable("not a reader policy");
    const statements = statementsOf(props["policy"]);
    if (statements === undefined) {
      reportViolation("the policy document is not readable JSON, so it cannot be shown to be read-only");
      return;
    }
    const writes = [...new Set(statements.flatMap(grantedWriteActions))].sort();
    if (writes.length > 0) reportViolation(`reader policy grants write actions: ${writes.join(", ")}`);
  }),
};
