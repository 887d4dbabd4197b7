import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../config/errors";
import { loadStackConfig } from "../../../config/load";
import { PRODUCTION_HOST_DEFAULTS, productionBuilderSchema } from "../../../components/production-builder/args";
import { readStackFile, stackConfigFromObject } from "../../../lib/plan/stack-file";

function prodObject(): Record<string, any> {
  const { config } = readStackFile("prod");
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, /^[[{]/.test(v) ? JSON.parse(v) : v]));
}

function problemsAfter(mutate: (config: Record<string, any>) => void): string[] {
  const config = structuredClone(prodObject());
  mutate(config);
  try {
    loadStackConfig(stackConfigFromObject(config).config);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

const HOST = "buildfarm:productionBuilder.hosts[0]";

describe("production builder config rules", () => {
  it("accepts the shipped prod stack", () => {
    expect(problemsAfter(() => undefined)).toEqual([]);
  });

  const cases: Array<[string, (c: Record<string, any>) => void, string]> = [
    ["a rootful worker", (c) => (c["buildfarm:productionBuilder"].hosts[0].buildkitd.worker.rootless = false), `${HOST}.buildkitd.worker.rootless: expected true: production builders run rootless`],
    ["noProcessSandbox", (c) => (c["buildfarm:productionBuilder"].hosts[0].buildkitd.worker.noProcessSandbox = true), `${HOST}.buildkitd.worker.noProcessSandbox: expected false: production builders keep the process sandbox`],
    ["an insecure entitlement", (c) => (c["buildfarm:productionBuilder"].hosts[0].buildkitd.insecureEntitlements = ["network.host"]), `${HOST}.buildkitd.insecureEntitlements: expected no insecure entitlements on a production builder, got ["network.host"]`],
    ["an unpinned frontend", (c) => (c["buildfarm:productionBuilder"].hosts[0].buildkitd.allowedFrontends = ["docker/dockerfile"]), `${HOST}.buildkitd.allowedFrontends[0]: expected a pinned frontend like "docker/dockerfile:1.26.0" or "docker/dockerfile@sha256:<64 hex>", got "docker/dockerfile"`],
    ["a floating major frontend", (c) => (c["buildfarm:productionBuilder"].hosts[0].buildkitd.allowedFrontends = ["docker/dockerfile:1.26.0", "docker/dockerfile:1"]), `${HOST}.buildkitd.allowedFrontends[1]: expected a pinned frontend like "docker/dockerfile:1.26.0" or "docker/dockerfile@sha256:<64 hex>", got "docker/dockerfile:1"`],
    ["no frontend at all", (c) => (c["buildfarm:productionBuilder"].hosts[0].buildkitd.allowedFrontends = []), `${HOST}.buildkitd.allowedFrontends: expected at least one pinned Dockerfile frontend, got none`],
    ["a TCP listener without mTLS", (c) => (c["buildfarm:productionBuilder"].hosts[0].buildkitd.tls.mode = "none"), `${HOST}.buildkitd.tls.mode: expected "generate" or "supplied": the TCP listener tcp://0.0.0.0:1234 requires mTLS`],
    ["a shared role on a production host", (c) => (c["buildfarm:productionBuilder"].hosts[0].role = "shared"), `${HOST}.role: expected "prod" on a production builder, got "shared"`],
    ["keyless signing without an identity", (c) => delete c["buildfarm:productionBuilder"].gate.certificateIdentity, 'buildfarm:productionBuilder.gate.certificateIdentity: expected the signer identity when gate.signing is "keyless", got nothing'],
    ["key signing without a key", (c) => (c["buildfarm:productionBuilder"].gate.signing = "key"), 'buildfarm:productionBuilder.gate.cosignKey: expected a cosign key reference when gate.signing is "key", got nothing'],
    ["SSE-KMS without a key", (c) => (c["buildfarm:productionBuilder"].auditBucket.encryption = "sse-kms"), 'buildfarm:productionBuilder.auditBucket.kmsKeyArn: expected a KMS key ARN when auditBucket.encryption is "sse-kms", got nothing'],
    ["an early STANDARD_IA transition", (c) => Object.assign(c["buildfarm:productionBuilder"].auditBucket, { transitionStorageClass: "STANDARD_IA", transitionDays: 7 }), "buildfarm:productionBuilder.auditBucket.transitionDays: expected at least 30 days for a transition to STANDARD_IA, got 7"],
    ["an unknown object lock mode", (c) => (c["buildfarm:productionBuilder"].auditBucket.objectLockMode = "legal-hold"), 'buildfarm:productionBuilder.auditBucket.objectLockMode: expected one of "governance", "compliance", got string "legal-hold"'],
    ["an unknown scanner", (c) => (c["buildfarm:productionBuilder"].gate.scanner = "snyk"), 'buildfarm:productionBuilder.gate.scanner: expected one of "trivy", "grype", got string "snyk"'],
    ["a production host shared with the pool", (c) => (c["buildfarm:productionBuilder"].hosts[0].connection.host = c["buildfarm:hosts"][0].connection.host), `${HOST}.connection.host: expected a dedicated host, got "builder-1.build.internal" (also used by hosts.0)`],
    ["a typo in a production host key", (c) => (c["buildfarm:productionBuilder"].hosts[0].buildkitd.worker.rootles = true), `${HOST}.buildkitd.worker.rootles: unknown key (check the spelling; allowed keys are listed in the README's config reference)`],
    ["a registry with a scheme", (c) => (c["buildfarm:productionBuilder"].sourcePolicy.allowedRegistries = ["https://ghcr.io/acme"]), 'buildfarm:productionBuilder.sourcePolicy.allowedRegistries[0]: expected a registry like "ghcr.io/acme" (no scheme, no tag)'],
  ];
  for (const [name, mutate, expected] of cases) {
    it(`rejects ${name} with the exact key`, () => {
      expect(problemsAfter(mutate)).toContain(expected);
    });
  }

  it("reports every problem of a host at once", () => {
    const problems = problemsAfter((c) => {
      const worker = c["buildfarm:productionBuilder"].hosts[0].buildkitd.worker;
      worker.rootless = false;
      worker.noProcessSandbox = true;
      c["buildfarm:productionBuilder"].hosts[0].buildkitd.insecureEntitlements = ["device"];
    });
    expect(problems.filter((p) => p.startsWith(HOST))).toEqual([
      `${HOST}.buildkitd.worker.rootless: expected true: production builders run rootless`,
      `${HOST}.buildkitd.worker.noProcessSandbox: expected false: production builders keep the process sandbox`,
      `${HOST}.buildkitd.insecureEntitlements: expected no insecure entitlements on a production builder, got ["device"]`,
    ]);
  });

  it("applies the stricter production defaults to keys left out", () => {
    const parsed = productionBuilderSchema.parse({
      hosts: [{ name: "prod-a", connection: { type: "local" } }],
      gate: { certificateIdentity: "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main" },
      auditBucket: { name: "acme-audit" },
    });
    const host = parsed.hosts[0]!;
    expect(host.role).toBe("prod");
    expect(host.labels).toEqual({ role: "prod" });
    expect(host.buildkitd.worker.rootless).toBe(true);
    expect(host.buildkitd.worker.noProcessSandbox).toBe(false);
    expect(host.buildkitd.insecureEntitlements).toEqual([]);
    expect(host.buildkitd.allowedFrontends).toEqual(["docker/dockerfile:1.26.0"]);
    expect(host.buildkitd.history).toEqual({ maxAge: "2160h", maxEntries: 5000 });
    expect(host.resources).toMatchObject(PRODUCTION_HOST_DEFAULTS.resources);
    expect(parsed.auditBucket).toMatchObject({ objectLockMode: "governance", retentionDays: 365, transitionDays: 90, encryption: "sse-s3", prefix: "builds", writerRoleName: "buildfarm-prod-builder" });
    expect(parsed.gate).toMatchObject({ scanner: "trivy", failOnSeverity: "high", signing: "keyless", uploader: "aws s3 cp --only-show-errors" });
    expect(parsed.readSharedCache).toBe(true);
    expect(parsed.cacheAccess).toBe("user");
    expect(parsed.cachePrefix).toBe("prod-release");
  });

  it("keeps explicit values over the production defaults", () => {
    const parsed = productionBuilderSchema.parse({
      hosts: [{ name: "prod-a", connection: { type: "local" }, labels: { team: "release" }, buildkitd: { history: { maxEntries: 100 } } }],
      auditBucket: { name: "acme-audit" },
    });
    expect(parsed.hosts[0]!.labels).toEqual({ team: "release", role: "prod" });
    expect(parsed.hosts[0]!.buildkitd.history).toEqual({ maxAge: "2160h", maxEntries: 100 });
  });
});
