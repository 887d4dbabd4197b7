import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import { beforeAll, describe, expect, it } from "vitest";
import { distributedCacheSchema, type DistributedCacheInput } from "../../../components/distributed-cache/args";
import type { PolicyDocument } from "../../../components/distributed-cache/render-policies";
import { mockCall, mockState } from "../../../lib/plan/mock-state";

type Module = typeof import("../../../components/distributed-cache");
interface Registered { type: string; name: string; inputs: Record<string, unknown>; custom: boolean }

const registered: Registered[] = [];
let mod: Module;
/** `waitForRPCs` exists in @pulumi/pulumi 3.248 but is not in its typings. */
const settings = runtimeSettings as typeof runtimeSettings & { waitForRPCs(): Promise<void> };

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, custom: args.custom ?? true });
        return { id: `${args.name}-id`, state: mockState(args) };
      },
      call: (args) => mockCall(args),
    },
    "buildfarm",
    "test",
    false,
  );
  mod = await import("../../../components/distributed-cache");
});

const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));
const byName = (name: string) => registered.find((r) => r.name === name);
const ofType = (prefix: string, type: string) => registered.filter((r) => r.name.startsWith(`${prefix}-`) && r.type === type);

async function awsCache(name: string, input: Partial<DistributedCacheInput> = {}) {
  const cache = new mod.DistributedCache(name, {
    environment: "prod",
    settings: distributedCacheSchema.parse({
      backend: "aws",
      bucket: `${name}-bucket-x`,
      region: "eu-west-1",
      sizeLimit: "2TB",
      encryption: { type: "sse-kms", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc" },
      writerRoles: ["buildfarm-builder"],
      readerRoles: ["buildfarm-ci-readonly"],
      createBuilderUsers: true,
      ...input,
    }),
  });
  await settings.waitForRPCs();
  return cache;
}

describe("DistributedCache (aws)", () => {
  let cache: InstanceType<Module["DistributedCache"]>;
  beforeAll(async () => {
    cache = await awsCache("c1");
  });

  it("creates the bucket with encryption, ownership, public-access block, TLS-only policy and no versioning", () => {
    expect(byName("c1-bucket")?.inputs).toMatchObject({ bucket: "c1-bucket-x", forceDestroy: false });
    expect(byName("c1-encryption")?.inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/abc" }, bucketKeyEnabled: true }]);
    expect(byName("c1-ownership")?.inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    expect(byName("c1-public-access")?.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    const policy = JSON.parse(String(byName("c1-policy")?.inputs.policy)) as PolicyDocument;
    expect(policy.Statement[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(byName("c1-versioning")?.inputs.versioningConfiguration).toEqual({ status: "Disabled" });
  });

  it("uses SSE-S3 (AES256) by default", async () => {
    const c2 = await awsCache("c2", { encryption: {}, sizeLimit: undefined, createBuilderUsers: false, writerRoles: [], readerRoles: [] });
    expect(byName("c2-encryption")?.inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    expect(ofType("c2", "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => r.name).sort()).toEqual(["c2-client-errors-alarm", "c2-server-errors-alarm"]);
    expect(ofType("c2", "aws:iam/user:User")).toEqual([]);
    expect(c2.accessKeys).toBeUndefined();
    // Builders on AWS use their instance role: region only, no credentials file.
    expect(c2.builderCredentials.credentialsFile).toBeUndefined();
    expect(c2.builderCredentials.environment).toEqual({ AWS_REGION: "eu-west-1" });
    const serverErrors = byName("c2-server-errors-alarm")?.inputs;
    expect(serverErrors).toMatchObject({ threshold: 5, evaluationPeriods: 3, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching" });
    expect((serverErrors?.metricQueries as Array<{ id: string }>).map((q) => q.id)).toEqual(["errors", "requests", "rate"]);
  });

  it("expires the cache prefix after retentionDays and aborts multipart uploads after 1 day", () => {
    expect(byName("c1-lifecycle")?.inputs.rules).toEqual([
      { id: "expire-buildkit-cache-prod", status: "Enabled", filter: { prefix: "buildkit-cache/prod/" }, expiration: { days: 30 } },
      { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: { prefix: "" }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
    ]);
  });

  it("alarms at exactly the configured size limit, through a new SNS topic", () => {
    const alarm = byName("c1-size-alarm")?.inputs;
    expect(alarm).toMatchObject({ metricName: "BucketSizeBytes", namespace: "AWS/S3", threshold: 2_000_000_000_000, comparisonOperator: "GreaterThanOrEqualToThreshold" });
    expect(alarm?.alarmActions).toEqual(["arn:aws:mock::000000000000:c1-alarms"]);
    expect(byName("c1-request-metrics")?.inputs).toMatchObject({ name: "buildkit-cache-prod", filter: { prefix: "buildkit-cache/prod/" } });
  });

  it("sends alarms to a given topic without creating one", async () => {
    await awsCache("c3", { alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:ops", createBuilderUsers: false });
    expect(ofType("c3", "aws:sns/topic:Topic")).toEqual([]);
    expect(byName("c3-server-errors-alarm")?.inputs.alarmActions).toEqual(["arn:aws:sns:eu-west-1:123456789012:ops"]);
  });

  it("attaches the reader policy (no s3:PutObject) and the writer policy to the named roles", () => {
    const reader = JSON.parse(String(byName("c1-reader")?.inputs.policy)) as PolicyDocument;
    const writer = JSON.parse(String(byName("c1-writer")?.inputs.policy)) as PolicyDocument;
    const actions = (d: PolicyDocument) => d.Statement.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions(reader)).not.toContain("s3:PutObject");
    expect(actions(writer)).toContain("s3:PutObject");
    expect(byName("c1-write-buildfarm-builder")?.inputs).toEqual({ role: "buildfarm-builder", policyArn: "arn:aws:mock::000000000000:c1-writer" });
    expect(byName("c1-read-buildfarm-ci-readonly")?.inputs).toEqual({ role: "buildfarm-ci-readonly", policyArn: "arn:aws:mock::000000000000:c1-reader" });
  });

  it("grants through grantRead/grantReadWrite with the same policies", async () => {
    cache.grantRead("extra-reader");
    await settings.waitForRPCs();
    expect(byName("c1-read-extra-reader")?.inputs.policyArn).toBe("arn:aws:mock::000000000000:c1-reader");
  });

  it("passes the resolved settings and policy documents as component props", () => {
    const props = registered.find((r) => r.type === "buildfarm:index:DistributedCache" && r.name === "c1")?.inputs;
    expect(props).toMatchObject({
      backend: "aws",
      bucket: "c1-bucket-x",
      region: "eu-west-1",
      prefix: "buildkit-cache/prod/",
      retentionDays: 30,
      touchRefresh: "24h",
      mode: "max",
      environment: "prod",
      ignoreErrorOnExport: true,
      sizeLimitBytes: 2_000_000_000_000,
      versioning: "Disabled",
    });
    expect(props?.readerPolicy).toEqual(cache.readerPolicyDocument);
    expect(props?.writerPolicy).toEqual(cache.writerPolicyDocument);
  });

  it("keeps builder keys and the credentials file secret and out of artifacts", async () => {
    expect(cache.accessKeys).toBeDefined();
    for (const key of [cache.accessKeys!.writer, cache.accessKeys!.reader]) {
      expect(await pulumi.isSecret(key.accessKeyId)).toBe(true);
      expect(await pulumi.isSecret(key.secretAccessKey)).toBe(true);
    }
    const file = cache.builderCredentials.credentialsFile!;
    expect(file.mode).toBe("0600");
    expect(await pulumi.isSecret(file.content)).toBe(true);
    expect(await value(file.content)).toContain("aws_secret_access_key = mock-secret-c1-writer-key");
    const texts = await Promise.all(cache.artifacts.map((a) => value(pulumi.output(a.content))));
    expect(texts.join("\n")).not.toContain("mock-secret");
  });

  it("exposes the stack output contract for main", async () => {
    const out = await value(cache.stackOutput);
    expect(out).toMatchObject({ backend: "aws", bucket: "c1-bucket-x", region: "eu-west-1", endpoint: null, prefix: "buildkit-cache/prod/" });
    expect(out.importCache).toBe(out.cacheFrom);
    expect(out.exportCache).toContain("name=buildfarm/main,mode=max");
  });

  it("writes the artifacts under cache/", () => {
    expect(cache.artifacts.map((a) => a.path)).toEqual([
      "cache/alarms.json",
      "cache/bucket-policy.json",
      "cache/builder-environment.json",
      "cache/ci/github-actions-production.yml",
      "cache/ci/github-actions.yml",
      "cache/flags.json",
      "cache/iam/reader-policy.json",
      "cache/iam/writer-policy.json",
      "cache/lifecycle.json",
    ]);
  });
});

describe("DistributedCache (s3-compatible)", () => {
  it("creates no cloud resources, keeps given credentials secret and renders the MinIO setup", async () => {
    const cache = new mod.DistributedCache("m1", {
      environment: "dev",
      settings: distributedCacheSchema.parse({ backend: "s3-compatible", bucket: "buildkit-cache", endpoint: "http://minio:9000", allowInsecureEndpoint: true, retentionDays: 14 }),
      credentials: { accessKeyId: pulumi.secret("minio-id"), secretAccessKey: pulumi.secret("minio-secret-value") },
    });
    await settings.waitForRPCs();
    expect(registered.filter((r) => r.name.startsWith("m1-"))).toEqual([]);
    expect(cache.artifacts.map((a) => a.path)).toContain("cache/minio/setup-bucket.sh");
    expect(cache.builderCredentials.environment.AWS_ENDPOINT_URL_S3).toBe("http://minio:9000");
    const content = cache.builderCredentials.credentialsFile!.content;
    expect(await pulumi.isSecret(content)).toBe(true);
    const props = registered.find((r) => r.type === "buildfarm:index:DistributedCache" && r.name === "m1")?.inputs;
    expect(JSON.stringify(props)).not.toContain("minio-secret-value");
    expect(props).toMatchObject({ backend: "s3-compatible", endpoint: "http://minio:9000", allowInsecureEndpoint: true, usePathStyle: true });
    expect(() => cache.grantRead("someone")).toThrow('grantRead/grantReadWrite need backend "aws"');
  });
});
