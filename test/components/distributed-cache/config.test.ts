import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../config/errors";
import { loadStackConfig } from "../../../config/load";
import { readStackFile } from "../../../lib/plan/stack-file";

/** Loads the stack file with the cache section replaced (or patched), returning the problems. */
function problemsWith(stack: "dev" | "prod", cache: (current: Record<string, unknown>) => Record<string, unknown>): string[] {
  const { config } = readStackFile(stack);
  const current = JSON.parse(config["buildfarm:cache"] ?? "{}") as Record<string, unknown>;
  try {
    loadStackConfig({ ...config, "buildfarm:cache": JSON.stringify(cache(current)) });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

const devProblems = (patch: Record<string, unknown>) => problemsWith("dev", (c) => ({ ...c, ...patch }));
const prodProblems = (patch: Record<string, unknown>) => problemsWith("prod", (c) => ({ ...c, ...patch }));

describe("cache config errors", () => {
  it("accepts both stack files as they are", () => {
    expect(devProblems({})).toEqual([]);
    expect(prodProblems({})).toEqual([]);
  });

  it.each([0, -3])("rejects retentionDays %i", (days) => {
    expect(prodProblems({ retentionDays: days })).toContain(`buildfarm:cache.retentionDays: expected a whole number of days greater than 0, got number ${days}`);
  });

  it("rejects retention shorter than 3x touchRefresh, naming the minimum", () => {
    expect(prodProblems({ retentionDays: 5, touchRefresh: "48h" })).toEqual([
      "buildfarm:cache.retentionDays: expected at least 3x touchRefresh (48h) = 6 days so lifecycle expiry never deletes blobs BuildKit still re-touches (moby/buildkit#3223), got 5",
    ]);
  });

  it("rejects a size limit that is not a size", () => {
    expect(prodProblems({ sizeLimit: "lots" })).toEqual(['buildfarm:cache.sizeLimit: expected a size like "8GiB", got "lots"']);
    expect(prodProblems({ sizeLimit: "0GB" })).toEqual(['buildfarm:cache.sizeLimit: expected a size like "8GiB", got "0GB"']);
  });

  it("rejects a plain-http endpoint without allowInsecureEndpoint", () => {
    expect(devProblems({ allowInsecureEndpoint: false })).toEqual([
      'buildfarm:cache.endpoint: expected an https URL (http only with allowInsecureEndpoint: true in dev), got "http://minio:9000"',
    ]);
  });

  it("rejects an endpoint that is not an http(s) URL", () => {
    for (const endpoint of ["ftp://minio:9000", "minio:9000", ""]) {
      expect(devProblems({ endpoint })).toEqual(['buildfarm:cache.endpoint: expected an https URL like "https://minio.internal:9000"']);
    }
  });

  it("rejects allowInsecureEndpoint outside dev", () => {
    const problems = problemsWith("prod", () => ({ backend: "s3-compatible", bucket: "cache-1", endpoint: "http://minio:9000", allowInsecureEndpoint: true }));
    expect(problems).toContain("buildfarm:cache.allowInsecureEndpoint: expected false outside dev (plain http would expose cache traffic), got true in prod");
    expect(problems).toContain('buildfarm:cache.endpoint: expected an https URL (http only with allowInsecureEndpoint: true in dev), got "http://minio:9000"');
  });

  it.each(["Buildkit_Cache", "ab", "a..b", "192.168.0.1", "xn--cache", "cache-s3alias", "-cache", `c${"a".repeat(63)}`])("rejects the bucket name %j", (bucket) => {
    const problems = prodProblems({ bucket });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^buildfarm:cache\.bucket: expected an S3 bucket name/);
  });

  it("requires a region for backend aws", () => {
    expect(problemsWith("prod", ({ region: _region, ...rest }) => rest)).toEqual(['buildfarm:cache.region: expected an AWS region like "eu-west-1" (required for backend aws), got nothing']);
    expect(prodProblems({ region: "Ireland" })).toEqual(['buildfarm:cache.region: expected an AWS region like "eu-west-1"']);
  });

  it("rejects bad prefixes, projects, default branches and KMS keys by key", () => {
    expect(prodProblems({ prefix: "/cache/" })[0]).toMatch(/^buildfarm:cache\.prefix: expected a key prefix/);
    expect(prodProblems({ project: "My App" })[0]).toMatch(/^buildfarm:cache\.project: expected a project name/);
    expect(prodProblems({ defaultBranch: "///" })).toEqual(["buildfarm:cache.defaultBranch: expected a branch name with at least one letter or digit"]);
    expect(prodProblems({ encryption: { type: "sse-kms", kmsKeyArn: "my-key" } })[0]).toMatch(/^buildfarm:cache\.encryption\.kmsKeyArn: expected a KMS key ARN/);
  });

  it("names an unknown key", () => {
    expect(prodProblems({ retention: 30 })).toContain("buildfarm:cache.retention: unknown key (check the spelling; allowed keys are listed in the README's config reference)");
  });
});
