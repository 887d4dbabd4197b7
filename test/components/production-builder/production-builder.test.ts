import * as pulumi from "@pulumi/pulumi";
import * as publicSettings from "@pulumi/pulumi/runtime/settings";
import { parse as parseToml } from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import { loadStackConfig } from "../../../config/load";
import type { StackConfig } from "../../../config/schema";
import type { ProductionBuilder as ProductionBuilderClass } from "../../../components/production-builder/production-builder";
import type { BuildkitHost as BuildkitHostClass } from "../../../components/buildkit-host/buildkit-host";
import { readPayload } from "../../../components/buildkit-host/render-install-script";
import { mockCall, mockState } from "../../../lib/plan/mock-state";
import { readStackFile } from "../../../lib/plan/stack-file";

const settings = publicSettings as typeof publicSettings & { waitForRPCs(): Promise<void> };

interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly state: Record<string, any>;
}

const registered: Registered[] = [];

/** A file in a host's release upload (install.sh with its payload), as the host receives it. */
function stagedFile(host: string, file: string): string | undefined {
  const upload = registered.find((r) => r.name === `${host}-release`);
  const stdin: unknown = upload?.inputs.stdin;
  // Secret inputs reach the mock monitor wrapped as { value } when the mocks keep secrets.
  const text = typeof stdin === "string" ? stdin : String((stdin as { value?: unknown } | undefined)?.value ?? "");
  return readPayload(text)[file];
}
let config: StackConfig;
let prod: ProductionBuilderClass;
let shared: BuildkitHostClass;
let ProductionBuilder: typeof ProductionBuilderClass;

function value<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

function one(type: string, name: string): Registered {
  const found = registered.filter((r) => r.type === type && r.name === name);
  expect(found.map((r) => r.name), `${type} ${name}`).toEqual([name]);
  return found[0] as Registered;
}

function ofType(type: string, namePrefix = ""): Registered[] {
  return registered.filter((r) => r.type === type && r.name.startsWith(namePrefix));
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = mockState(args);
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, any>, state });
        return { id: `${args.name}-id`, state };
      },
      call: (args) => mockCall(args),
    },
    "buildfarm",
    "prod",
    false,
  );
  config = loadStackConfig(readStackFile("prod").config);
  ({ ProductionBuilder } = await import("../../../components/production-builder/production-builder"));
  const { BuildkitHost } = await import("../../../components/buildkit-host/buildkit-host");
  const sharedHost = config.hosts[0];
  if (!config.productionBuilder || !sharedHost) throw new Error("prod stack file lacks productionBuilder or hosts");
  shared = new BuildkitHost("shared-builder-1", { settings: sharedHost, release: config.buildkit, environment: "prod", sshPrivateKey: pulumi.secret("key") });
  prod = new ProductionBuilder("prod", {
    settings: config.productionBuilder,
    release: config.buildkit,
    sshPrivateKey: pulumi.secret("key"),
    cache: { bucket: "acme-buildkit-cache-prod", region: "eu-west-1", prefix: "buildkit-cache/prod/" },
    // What the stack hands the shared pool: the shared writer's keys must not reach production hosts.
    cacheCredentials: pulumi.secret({ AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "SHARED-WRITER-ID", AWS_SECRET_ACCESS_KEY: "SHARED-WRITER-SECRET", HTTPS_PROXY: "http://proxy.internal:3128" }),
  });
  await value(pulumi.all([prod.caCertPem, prod.gateClientCertPem, prod.auditBucketName, shared.caCertPem]));
  await settings.waitForRPCs();
});

describe("ProductionBuilder isolation", () => {
  it("has its own CA: the production host trusts it, and the shared host's client certificate is signed by another CA", async () => {
    const prodCa = one("tls:index/selfSignedCert:SelfSignedCert", "prod-ca");
    const sharedCa = one("tls:index/selfSignedCert:SelfSignedCert", "shared-builder-1-ca");
    expect(prodCa.state.certPem).not.toBe(sharedCa.state.certPem);
    expect(ofType("tls:index/selfSignedCert:SelfSignedCert", "prod-").map((r) => r.name)).toEqual(["prod-ca"]);

    const prodServer = one("tls:index/locallySignedCert:LocallySignedCert", "prod-prod-builder-1-server-cert");
    expect(prodServer.inputs.caCertPem).toBe(prodCa.state.certPem);
    const sharedClient = one("tls:index/locallySignedCert:LocallySignedCert", "shared-builder-1-client-cert");
    expect(sharedClient.inputs.caCertPem).toBe(sharedCa.state.certPem);
    expect(sharedClient.inputs.caCertPem).not.toBe(prodCa.state.certPem);

    // The CA file the production daemon verifies clients against is the production CA, nothing else.
    const stagedCa = stagedFile("prod-prod-builder-1", "ca.pem");
    expect(stagedCa, "ca.pem staged on the production host").toBeDefined();
    expect(stagedCa).toContain("mock-prod-ca");
    expect(stagedCa).not.toContain("mock-shared-builder-1-ca");
    expect(await value(prod.caCertPem)).toBe(prodCa.state.certPem);
    expect(await value(shared.caCertPem)).not.toBe(await value(prod.caCertPem));

    const gateClient = one("tls:index/locallySignedCert:LocallySignedCert", "prod-gate-client-cert");
    expect(gateClient.inputs.caCertPem).toBe(prodCa.state.certPem);
    expect(gateClient.inputs.allowedUses).toEqual(["client_auth", "digital_signature", "key_encipherment"]);
  });

  it("requires client certificates on the TCP listener (mTLS only)", () => {
    const toml = parseToml(prodToml()) as Record<string, any>;
    expect(toml.grpc.tls.ca).toBe("/etc/buildkit/tls/ca.pem");
    expect(toml.grpc.address).toContain("tcp://0.0.0.0:1234");
  });

  it("writes its own cache prefix and only reads the shared one", () => {
    expect(prod.cachePrefixes).toEqual({ production: "buildkit-cache/prod-release/", sharedReadOnly: "buildkit-cache/prod/" });
    const writer = JSON.parse(one("aws:iam/policy:Policy", "prod-cache-writer").inputs.policy);
    const writeStatement = writer.Statement.find((s: any) => [s.Action].flat().includes("s3:PutObject"));
    expect(writeStatement.Resource).toBe("arn:aws:s3:::acme-buildkit-cache-prod/buildkit-cache/prod-release/*");
    const reader = JSON.parse(one("aws:iam/policy:Policy", "prod-shared-cache-reader").inputs.policy);
    expect(JSON.stringify(reader)).not.toContain("s3:PutObject");
    expect(JSON.stringify(reader)).toContain("buildkit-cache/prod/*");
    expect(prod.gateScript).toContain("CACHE_PROD_PREFIX='buildkit-cache/prod-release/'");
    expect(prod.gateScript).toContain("CACHE_SHARED_PREFIX='buildkit-cache/prod/'");
  });

  it("gives the production daemons their own cache identity, never the shared pool's keys", () => {
    const text = stagedFile("prod-prod-builder-1", "cache.env");
    expect(text, "cache.env staged on the production host").toBeDefined();
    expect(text).not.toContain("SHARED-WRITER");
    expect(text).toContain("mock-secret-prod-cache-user-key");
    expect(text).toContain("proxy.internal");
    const user = one("aws:iam/user:User", "prod-cache-user");
    expect(user.inputs.name).toBe("buildfarm-prod-cache");
    const attached = ofType("aws:iam/userPolicyAttachment:UserPolicyAttachment", "prod-").map((r) => r.name).sort();
    expect(attached).toEqual(["prod-audit-writer-user-attachment", "prod-cache-writer-user-attachment", "prod-shared-cache-reader-user-attachment"]);
    expect(one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "prod-cache-writer-attachment").inputs.role).toBe("buildfarm-prod-builder");
  });

  it("labels everything role=\"prod\"", () => {
    const host = one("buildfarm:index:BuildkitHost", "prod-prod-builder-1");
    expect(host.inputs.role).toBe("prod");
    expect(host.inputs.environment).toBe("prod");
    expect((parseToml(prodToml()) as any).worker.oci.labels).toMatchObject({ role: "prod" });
    expect(prod.monitoring.targets.map((t) => [t.job, t.address, t.labels.role])).toEqual([
      ["buildkitd", "prod-builder-1.release.internal:6060", "prod"],
      ["buildkit-insights", "prod-builder-1.release.internal:9469", "prod"],
    ]);
    expect(prod.monitoring.dashboard.uid).toBe("buildfarm-production-builder");
    expect(prod.monitoring.thresholds.buildFailureRatioMax).toBeLessThan(config.monitoring.thresholds.buildFailureRatioMax);
  });
});

describe("ProductionBuilder hardening", () => {
  it("exposes the hardening settings as component props", () => {
    const component = one("buildfarm:index:ProductionBuilder", "prod");
    expect(component.inputs.role).toBe("prod");
    expect(component.inputs.hardening).toEqual([
      expect.objectContaining({ host: "prod-builder-1", rootless: true, noProcessSandbox: false, insecureEntitlements: [], tlsMode: "generate", tcpAddress: "tcp://0.0.0.0:1234", allowedFrontends: ["docker/dockerfile:1.26.0"] }),
    ]);
    expect(component.inputs.sourcePolicy.rules[0]).toEqual({ action: "DENY", selector: { identifier: "docker-image://*" } });
    expect(component.inputs.auditBucket).toMatchObject({ name: "acme-build-audit-prod", objectLockMode: "compliance", retentionDays: 400 });
  });

  it("renders a rootless daemon without insecure entitlements, limited to the pinned frontend, with long history", () => {
    const toml = parseToml(prodToml()) as Record<string, any>;
    expect(toml.worker.oci.rootless).toBe(true);
    expect(toml.worker.oci.noProcessSandbox ?? false).toBe(false);
    expect(toml["insecure-entitlements"] ?? []).toEqual([]);
    expect(toml.frontend["gateway.v0"].allowedRepositories).toEqual(["docker/dockerfile"]);
    expect(toml.history).toMatchObject({ maxEntries: 5000 });
  });

  it("installs the source policy and the gate with the host, and writes artifacts under prod/", async () => {
    const paths = prod.artifacts.map((a) => a.path);
    for (const file of ["buildkitd.toml", "source-policy.json", "prod-build.sh", "buildkit.service", "50-buildkit-limits.conf"]) expect(paths).toContain(`prod/prod-builder-1/${file}`);
    expect(paths).toContain("prod/prod-build.sh");
    expect(paths.every((p) => p.startsWith("prod/"))).toBe(true);
    expect(stagedFile("prod-prod-builder-1", "source-policy.json")).toBeDefined();
    const contents = await Promise.all(prod.artifacts.map((a) => value(pulumi.output(a.content))));
    expect(contents.join("\n")).not.toMatch(/PRIVATE KEY/);
    expect(JSON.parse(contents[paths.indexOf("prod/prod-builder-1/source-policy.json")] as string)).toEqual(JSON.parse(prod.sourcePolicyJson));
  });

  it("keeps the gate's private key secret", async () => {
    expect(await pulumi.isSecret(prod.gateClientKeyPem)).toBe(true);
    expect(await pulumi.isSecret(prod.gateClientCertPem)).toBe(false);
  });

  it("refuses settings that relax the hardening, naming the config key", () => {
    const relaxed = structuredClone(config.productionBuilder!);
    (relaxed.hosts[0] as any).buildkitd.worker.rootless = false;
    (relaxed.hosts[0] as any).buildkitd.insecureEntitlements = ["network.host"];
    expect(() => new ProductionBuilder("relaxed", { settings: relaxed, release: config.buildkit })).toThrow(
      /buildfarm:productionBuilder\.hosts\[0\]\.buildkitd\.worker\.rootless: expected true[\s\S]*buildfarm:productionBuilder\.hosts\[0\]\.buildkitd\.insecureEntitlements/,
    );
    expect(registered.some((r) => r.name.startsWith("relaxed"))).toBe(false);
  });

  it("publishes the CI gate command and endpoints", () => {
    expect(prod.endpoints).toEqual(["tcp://prod-builder-1.release.internal:1234"]);
    expect(prod.gateCommand).toMatch(/^BUILDKIT_HOST=tcp:\/\/prod-builder-1\.release\.internal:1234 .* sh prod-build\.sh --context \. --image/);
  });
});

describe("ProductionBuilder audit store", () => {
  it("creates a versioned, Object-Locked bucket", () => {
    expect(one("aws:s3/bucket:Bucket", "prod-audit").inputs).toMatchObject({ bucket: "acme-build-audit-prod", objectLockEnabled: true, forceDestroy: false });
    expect(one("aws:s3/bucketVersioning:BucketVersioning", "prod-audit-versioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    expect(one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "prod-audit-object-lock").inputs).toMatchObject({
      objectLockEnabled: "Enabled",
      rule: { defaultRetention: { mode: "COMPLIANCE", days: 400 } },
    });
  });

  it("encrypts, blocks public access, and moves records to colder storage", () => {
    expect(one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "prod-audit-encryption").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: false },
    ]);
    expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "prod-audit-public-access").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const [rule] = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "prod-audit-lifecycle").inputs.rules;
    expect(rule).toMatchObject({ status: "Enabled", filter: { prefix: "builds/" }, transitions: [{ days: 90, storageClass: "GLACIER_IR" }] });
    expect(rule.expiration).toBeUndefined();
  });

  it("denies every request without TLS and any delete by the builder role", () => {
    const policy = JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy", "prod-audit-policy").inputs.policy);
    expect(policy.Statement).toContainEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: ["arn:aws:s3:::acme-build-audit-prod", "arn:aws:s3:::acme-build-audit-prod/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    const deny = policy.Statement.find((s: any) => s.Sid === "DenyBuilderDeletes");
    expect(deny.Action).toContain("s3:DeleteObject");
    expect(deny.Condition).toEqual({ ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::000000000000:role/buildfarm-prod-builder" } });
  });

  it("lets the builder role write records but never delete them", () => {
    const writer = JSON.parse(one("aws:iam/policy:Policy", "prod-audit-writer").inputs.policy);
    const allowed = writer.Statement.filter((s: any) => s.Effect === "Allow").flatMap((s: any) => [s.Action].flat());
    expect(allowed).toEqual(["s3:PutObject"]);
    expect(allowed.some((a: string) => a.startsWith("s3:Delete") || a === "s3:*")).toBe(false);
    const denied = writer.Statement.filter((s: any) => s.Effect === "Deny").flatMap((s: any) => [s.Action].flat());
    expect(denied).toEqual(expect.arrayContaining(["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"]));
    expect(one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "prod-audit-writer-attachment").inputs.role).toBe("buildfarm-prod-builder");
  });
});

function prodToml(): string {
  const host = one("buildfarm:index:BuildkitHost", "prod-prod-builder-1");
  return host.inputs.buildkitdToml as string;
}
