import { describe, expect, it } from "vitest";
import { renderAlarmSpecs } from "../../../components/distributed-cache/render-alarms";
import { renderAwsCredentialsFile, renderBuilderCacheEnvironment } from "../../../components/distributed-cache/render-builder-credentials";
import { renderBucketPolicy, renderCachePolicy, renderLifecycleRules, type PolicyDocument } from "../../../components/distributed-cache/render-policies";
import { distributedCacheSchema } from "../../../components/distributed-cache/args";
import { resolveCache } from "../../../components/distributed-cache/resolve";
import { CACHE_READ_ACTIONS, CACHE_WRITE_ACTIONS, S3_MUTATING_ACTIONS } from "../../../lib/permissions";

const target = { bucket: "acme-cache", prefix: "buildkit-cache/prod/" };

function actionsOn(document: PolicyDocument, resource: string): string[] {
  return document.Statement.filter((s) => s.Effect === "Allow" && ([] as string[]).concat(s.Resource).includes(resource)).flatMap((s) => ([] as string[]).concat(s.Action)).sort();
}

describe("renderCachePolicy", () => {
  it("reader may list the bucket and get objects under the prefix, nothing more", () => {
    const reader = renderCachePolicy(target, "read");
    expect(actionsOn(reader, "arn:aws:s3:::acme-cache")).toEqual(["s3:GetBucketLocation", "s3:ListBucket"]);
    expect(actionsOn(reader, "arn:aws:s3:::acme-cache/buildkit-cache/prod/*")).toEqual([...CACHE_READ_ACTIONS]);
    const all = reader.Statement.flatMap((s) => ([] as string[]).concat(s.Action));
    for (const action of S3_MUTATING_ACTIONS) expect(all).not.toContain(action);
    expect(all).not.toContain("s3:PutObject");
  });

  it("writer adds put and multipart actions on the prefix only", () => {
    const writer = renderCachePolicy(target, "write");
    expect(actionsOn(writer, "arn:aws:s3:::acme-cache/buildkit-cache/prod/*")).toEqual([...CACHE_READ_ACTIONS, ...CACHE_WRITE_ACTIONS].sort());
    expect(actionsOn(writer, "arn:aws:s3:::acme-cache/*")).toEqual([]);
    expect(writer.Statement.flatMap((s) => ([] as string[]).concat(s.Action))).not.toContain("s3:DeleteObject");
  });

  it("grants KMS use only on a customer-managed key", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/abc";
    expect(actionsOn(renderCachePolicy({ ...target, kmsKeyArn: key }, "read"), key)).toEqual(["kms:Decrypt"]);
    expect(actionsOn(renderCachePolicy({ ...target, kmsKeyArn: key }, "write"), key)).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(JSON.stringify(renderCachePolicy(target, "write"))).not.toContain("kms:");
  });
});

describe("renderBucketPolicy", () => {
  it("denies every non-TLS request on the bucket and its objects", () => {
    expect(renderBucketPolicy(target).Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::acme-cache", "arn:aws:s3:::acme-cache/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });
});

describe("renderLifecycleRules", () => {
  it("expires objects under the cache prefix and aborts multipart uploads after 1 day", () => {
    expect(renderLifecycleRules(["buildkit-cache/prod/"], 30)).toEqual([
      { ID: "expire-buildkit-cache-prod", Status: "Enabled", Filter: { Prefix: "buildkit-cache/prod/" }, Expiration: { Days: 30 } },
      { ID: "abort-incomplete-multipart-uploads", Status: "Enabled", Filter: { Prefix: "" }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
    ]);
  });

  it("rejects a non-positive retention", () => {
    expect(() => renderLifecycleRules(["p/"], 0)).toThrow("expected retentionDays > 0, got 0");
  });
});

describe("renderAlarmSpecs", () => {
  const base = { bucket: "acme-cache", requestMetricsFilterId: "buildkit-cache-prod", clientErrorPercent: 80, serverErrorPercent: 5, evaluationPeriods: 3 };

  it("sets the size alarm threshold to the configured limit in bytes", () => {
    const [size] = renderAlarmSpecs({ ...base, sizeLimitBytes: 2_000_000_000_000 });
    expect(size).toMatchObject({ key: "size", metricName: "BucketSizeBytes", namespace: "AWS/S3", threshold: 2_000_000_000_000, comparisonOperator: "GreaterThanOrEqualToThreshold", dimensions: { BucketName: "acme-cache", StorageType: "StandardStorage" } });
  });

  it("alarms on 4xx and 5xx shares of the cache prefix's requests, and has no size alarm without a limit", () => {
    const specs = renderAlarmSpecs({ ...base, sizeLimitBytes: undefined });
    expect(specs.map((s) => [s.key, s.threshold])).toEqual([["client-errors", 80], ["server-errors", 5]]);
    const server = specs[1]!;
    expect(server.metricQueries?.map((q) => q.metric?.metricName ?? q.expression)).toEqual(["5xxErrors", "AllRequests", "IF(requests > 0, 100 * errors / requests, 0)"]);
    expect(server.metricQueries?.[0]?.metric?.dimensions).toEqual({ BucketName: "acme-cache", FilterId: "buildkit-cache-prod" });
  });
});

describe("builder credentials", () => {
  it("renders an AWS credentials file and refuses whitespace", () => {
    expect(renderAwsCredentialsFile("AKIAEXAMPLE", "s3cr3t/+x")).toBe("[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s3cr3t/+x\n");
    expect(() => renderAwsCredentialsFile("AKIA", "a b")).toThrow("aws_secret_access_key: expected a non-empty value without whitespace");
  });

  it("gives the daemon region, endpoint and the credentials file path", () => {
    const minio = resolveCache(distributedCacheSchema.parse({ backend: "s3-compatible", bucket: "buildkit-cache", endpoint: "https://minio.internal:9000" }), "dev");
    expect(renderBuilderCacheEnvironment(minio, { withCredentialsFile: true })).toEqual({
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ENDPOINT_URL_S3: "https://minio.internal:9000",
      AWS_PROFILE: "default",
      AWS_REGION: "us-east-1",
      AWS_SHARED_CREDENTIALS_FILE: "/etc/buildkit/s3-cache-credentials",
    });
    const aws = resolveCache(distributedCacheSchema.parse({ backend: "aws", bucket: "acme-cache", region: "eu-west-1" }), "prod");
    expect(renderBuilderCacheEnvironment(aws, { withCredentialsFile: false })).toEqual({ AWS_REGION: "eu-west-1" });
  });
});
