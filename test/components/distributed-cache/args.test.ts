import { describe, expect, it } from "vitest";
import { distributedCacheSchema } from "../../../components/distributed-cache/args";
import { renderCache } from "../../../components/distributed-cache/render-artifacts";
import { resolveCache } from "../../../components/distributed-cache/resolve";

describe("distributedCacheSchema defaults", () => {
  it("fills the documented secure defaults for aws", () => {
    expect(distributedCacheSchema.parse({ backend: "aws", bucket: "acme-cache", region: "eu-west-1" })).toEqual({
      backend: "aws",
      bucket: "acme-cache",
      region: "eu-west-1",
      prefix: "buildkit-cache",
      project: "buildfarm",
      retentionDays: 30,
      touchRefresh: "24h",
      mode: "max",
      retryMode: "adaptive",
      retryMaxAttempts: 5,
      uploadParallelism: 8,
      defaultBranch: "main",
      encryption: { type: "sse-s3", bucketKey: true },
      errorAlarms: { clientErrorPercent: 80, serverErrorPercent: 5, evaluationPeriods: 3 },
      writerRoles: [],
      readerRoles: [],
      createBuilderUsers: false,
    });
  });

  it("fills the documented defaults for s3-compatible: https required, path style on", () => {
    expect(distributedCacheSchema.parse({ backend: "s3-compatible", bucket: "buildkit-cache", endpoint: "https://minio.internal:9000" })).toMatchObject({
      region: "us-east-1",
      allowInsecureEndpoint: false,
      usePathStyle: true,
    });
  });
});

describe("resolveCache", () => {
  it("namespaces by environment and converts units", () => {
    const settings = distributedCacheSchema.parse({ backend: "aws", bucket: "acme-cache", region: "eu-west-1", prefix: "ci/cache", touchRefresh: "2d", retentionDays: 14, sizeLimit: "1.5TiB" });
    expect(resolveCache(settings, "prod")).toMatchObject({ prefix: "ci/cache/prod/", touchRefresh: "48h", sizeLimitBytes: 1.5 * 1024 ** 4, endpoint: undefined, usePathStyle: false });
  });
});

describe("renderCache", () => {
  it("renders byte-identical artifacts for the same input", () => {
    for (const input of [
      { backend: "aws", bucket: "acme-cache", region: "eu-west-1", sizeLimit: "2TB" },
      { backend: "s3-compatible", bucket: "buildkit-cache", endpoint: "https://minio.internal:9000" },
    ]) {
      const settings = distributedCacheSchema.parse(input);
      const once = renderCache(resolveCache(settings, "dev"), settings, true).artifacts;
      const twice = renderCache(resolveCache(settings, "dev"), settings, true).artifacts;
      expect(twice).toEqual(once);
      expect(once.map((a) => a.path)).toEqual([...once.map((a) => a.path)].sort());
      const env = once.find((a) => a.path === "cache/builder-environment.json");
      expect(JSON.parse(String(env?.content)).credentialsFile).toEqual({ path: "/etc/buildkit/s3-cache-credentials", mode: "0600", content: "[secret]" });
    }
  });
});
