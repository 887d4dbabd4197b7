import { describe, expect, it } from "vitest";
import { distributedCacheSchema, type DistributedCacheInput } from "../../../components/distributed-cache/args";
import { cacheName, goDuration, sanitiseBranch } from "../../../components/distributed-cache/naming";
import { BRANCH_PLACEHOLDER, cacheExportAttrs, cacheFlags, cacheFlagsForBranchPattern, cacheImportAttrs, exportEntries, importEntries } from "../../../components/distributed-cache/render-cache-flags";
import { resolveCache, type CacheEnvironment } from "../../../components/distributed-cache/resolve";
import { isCacheAttribute, parseCacheAttributes } from "../../../lib/cache-attributes";

function cacheFor(input: Partial<DistributedCacheInput> & { backend: "aws" | "s3-compatible" }, environment: CacheEnvironment = "prod") {
  const base = input.backend === "aws" ? { bucket: "acme-cache", region: "eu-west-1" } : { bucket: "buildkit-cache", endpoint: "https://minio.internal:9000" };
  return resolveCache(distributedCacheSchema.parse({ ...base, ...input }), environment);
}

const aws = cacheFor({ backend: "aws", project: "web-app", touchRefresh: "1d", retryMaxAttempts: 7, uploadParallelism: 12 });
const minio = cacheFor({ backend: "s3-compatible", endpoint: "http://minio:9000/", allowInsecureEndpoint: true }, "dev");

describe("sanitiseBranch", () => {
  it.each([
    ["main", "main"],
    ["feature/Login-Page", "feature-login-page"],
    ["fix/#123 crash!!", "fix-123-crash"],
    ["release/v1.2.3", "release-v1.2.3"],
    ["--weird..", "weird"],
    ["dependabot/npm_and_yarn/@types/node-20", "dependabot-npm_and_yarn-types-node-20"],
    ["ünïcødé/branch", "n-c-d-branch"],
    ["a;b,c=d e", "a-b-c-d-e"],
  ])("maps %j to %j", (branch, expected) => {
    expect(sanitiseBranch(branch)).toBe(expected);
  });

  it("keeps at most 100 characters without a trailing dash", () => {
    const long = `${"a".repeat(99)}/${"b".repeat(50)}`;
    expect(sanitiseBranch(long)).toBe("a".repeat(99));
    expect(sanitiseBranch("x".repeat(300))).toHaveLength(100);
  });

  it.each(["", "   ", "///", "-..-", "€€"])("rejects %j, which has no letter or digit", (branch) => {
    expect(() => sanitiseBranch(branch)).toThrow(`expected a branch name with at least one letter or digit, got ${JSON.stringify(branch)}`);
  });

  it("rejects an invalid project name in cacheName", () => {
    expect(() => cacheName("Web App", "main")).toThrow('expected a project name like "web-app"');
    expect(() => cacheName("", "main")).toThrow("expected a project name");
    expect(cacheName("web-app", "Feature/X")).toBe("web-app/feature-x");
  });
});

describe("goDuration", () => {
  it("writes durations Go's time.ParseDuration accepts (no days)", () => {
    expect(goDuration(86400)).toBe("24h");
    expect(goDuration(7 * 86400)).toBe("168h");
    expect(goDuration(90 * 60)).toBe("90m");
    expect(goDuration(45)).toBe("45s");
    expect(aws.touchRefresh).toBe("24h");
  });
});

describe("cacheImportAttrs / cacheExportAttrs", () => {
  it("parse back into the same key/value pairs they were built from", () => {
    const name = cacheName("web-app", "feature/x");
    expect(parseCacheAttributes(cacheImportAttrs(aws, { branch: "feature/x" }))).toEqual(importEntries(aws, name).map(([k, v]) => [k, v]));
    expect(parseCacheAttributes(cacheExportAttrs(aws, { branch: "feature/x" }))).toEqual(exportEntries(aws, name).map(([k, v]) => [k, v]));
  });

  it("exports with the secure defaults and the configured tuning", () => {
    const attrs = Object.fromEntries(parseCacheAttributes(cacheExportAttrs(aws, { branch: "main" })));
    expect(attrs).toEqual({
      type: "s3",
      bucket: "acme-cache",
      region: "eu-west-1",
      prefix: "buildkit-cache/prod/",
      name: "web-app/main",
      mode: "max",
      "ignore-error": "true",
      retry_mode: "adaptive",
      retry_max_attempts: "7",
      upload_parallelism: "12",
      touch_refresh: "24h",
    });
  });

  it("imports without export-only fields", () => {
    const attrs = Object.fromEntries(parseCacheAttributes(cacheImportAttrs(aws, { branch: "main" })));
    expect(Object.keys(attrs).sort()).toEqual(["bucket", "name", "prefix", "region", "retry_max_attempts", "retry_mode", "type"]);
  });

  it("adds endpoint and path style for an s3-compatible store, never credentials", () => {
    const attrs = Object.fromEntries(parseCacheAttributes(cacheExportAttrs(minio, { branch: "main" })));
    expect(attrs.endpoint_url).toBe("http://minio:9000");
    expect(attrs.use_path_style).toBe("true");
    expect(attrs.prefix).toBe("buildkit-cache/dev/");
    expect(Object.keys(attrs).filter((k) => /key|token|secret/.test(k))).toEqual([]);
  });

  it("uses only attribute names from the catalogue", () => {
    const every = [aws, minio].flatMap((cache) => [
      ...cacheFlags(cache, "buildctl", { branch: "feature/a" }),
      ...cacheFlagsForBranchPattern(cache, "buildx"),
    ]);
    const values = every.filter((arg) => !arg.startsWith("--"));
    expect(values.length).toBeGreaterThan(4);
    for (const value of values) for (const [key] of parseCacheAttributes(value)) expect(isCacheAttribute(key), key).toBe(true);
  });

  it("reads a separate prefix for import-only production strings, but never exports there", () => {
    const attrs = Object.fromEntries(parseCacheAttributes(cacheImportAttrs(aws, { branch: "main", prefix: "buildkit-cache/release/" })));
    expect(attrs.prefix).toBe("buildkit-cache/release/");
    expect(() => cacheImportAttrs(aws, { branch: "main", prefix: "/abs" })).toThrow('expected a cache prefix like "buildkit-cache/prod/"');
    expect(() => cacheExportAttrs(aws, { branch: "main", prefix: "buildkit-cache/release/" })).toThrow("exports always go to the environment prefix buildkit-cache/prod/");
  });

  it("rejects empty and invalid branch names", () => {
    expect(() => cacheExportAttrs(aws, { branch: "" })).toThrow("expected a branch name with at least one letter or digit");
    expect(() => cacheImportAttrs(aws, { branch: "///" })).toThrow("expected a branch name with at least one letter or digit");
  });
});

describe("cacheFlags", () => {
  const names = (args: string[], flag: string) => args.flatMap((arg, i) => (args[i - 1] === flag ? [Object.fromEntries(parseCacheAttributes(arg)).name] : []));

  it("imports the default branch and the current branch, exports the current branch (buildctl)", () => {
    const args = cacheFlags(aws, "buildctl", { branch: "Feature/Cache" });
    expect(names(args, "--import-cache")).toEqual(["web-app/main", "web-app/feature-cache"]);
    expect(names(args, "--export-cache")).toEqual(["web-app/feature-cache"]);
    expect(args.filter((a) => a.startsWith("--"))).toEqual(["--import-cache", "--import-cache", "--export-cache"]);
  });

  it("uses --cache-from/--cache-to for buildx with the same values", () => {
    const ctl = cacheFlags(aws, "buildctl", { branch: "dev" });
    const bx = cacheFlags(aws, "buildx", { branch: "dev" });
    expect(bx.filter((a) => a.startsWith("--"))).toEqual(["--cache-from", "--cache-from", "--cache-to"]);
    expect(bx.filter((a) => !a.startsWith("--"))).toEqual(ctl.filter((a) => !a.startsWith("--")));
  });

  it("imports main once when building main", () => {
    expect(names(cacheFlags(aws, "buildctl", { branch: "main" }), "--import-cache")).toEqual(["web-app/main"]);
  });

  it("read-only (production) builds only import", () => {
    const args = cacheFlags(aws, "buildx", { branch: "release/1.0", readOnly: true });
    expect(args.filter((a) => a.startsWith("--"))).toEqual(["--cache-from", "--cache-from"]);
    expect(args.join(" ")).not.toContain("ignore-error");
  });

  it("leaves ${CACHE_BRANCH} in the branch pattern", () => {
    const args = cacheFlagsForBranchPattern(aws, "buildctl");
    expect(names(args, "--import-cache")).toEqual(["web-app/main", `web-app/${BRANCH_PLACEHOLDER}`]);
    expect(names(args, "--export-cache")).toEqual([`web-app/${BRANCH_PLACEHOLDER}`]);
  });
});
