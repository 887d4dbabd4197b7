import type { BuildfarmStackPolicy } from "../lib/policy";
import { statementsOf, type Statement } from "../lib/iam";
import { asRecord, at } from "../lib/props";
import { bucketLabel, buckets, sideResources } from "../lib/s3";
import { S3 } from "../lib/types";

function isEveryone(principal: unknown): boolean {
  return principal === "*" || at(principal, "AWS") === "*" || (Array.isArray(at(principal, "AWS")) && (at(principal, "AWS") as unknown[]).includes("*"));
}

/** A statement denying every S3 action to everyone, on the bucket's objects, when aws:SecureTransport is false. */
export function deniesInsecureTransport(statement: Statement): boolean {
  if (statement.effect !== "Deny" || !isEveryone(statement.principal)) return false;
  if (!statement.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*")) return false;
  if (!statement.resources.some((r) => r === "*" || r.endsWith("/*"))) return false;
  const secure = asRecord(statement.condition["Bool"])?.["aws:SecureTransport"];
  return secure === "false" || secure === false || (Array.isArray(secure) && secure.some((v) => v === "false" || v === false));
}

export const requireTlsOnlyBucketPolicy: BuildfarmStackPolicy = {
  name: "buildfarm-s3-tls-only",
  description: "Every S3 bucket has a bucket policy that denies requests not made over TLS (aws:SecureTransport false).",
  remediationSteps: "Attach an aws.s3.BucketPolicy with a Deny of s3:* for Principal \"*\" on the bucket and bucket/* when Bool aws:SecureTransport is \"false\".",
  validateStack: (args, reportViolation) => {
    const all = buckets(args);
    if (all.length === 0) args.notApplicable("no S3 buckets");
    for (const bucket of all) {
      const policies = sideResources(args, bucket, S3.policy);
      const ok = policies.some((p) => (statementsOf(at(p.props, "policy")) ?? []).some(deniesInsecureTransport));
      if (!ok) reportViolation(`bucket ${bucketLabel(bucket)} has no bucket policy denying non-TLS requests`, policies[0]?.urn ?? bucket.urn);
    }
  },
};
