import { describe, expect, it } from "vitest";
import { CACHE_ATTRIBUTE_NAMES, formatCacheAttributes, GENERIC_CACHE_ATTRIBUTES, isCacheAttribute, parseCacheAttributes, S3_CACHE_ATTRIBUTES, SECRET_CACHE_ATTRIBUTES, type CacheAttributeEntry } from "../../lib/cache-attributes";

describe("cache attribute catalogue", () => {
  it("lists exactly the attr* constants of BuildKit v0.32.2 cache/remotecache/s3/s3.go", () => {
    // Copied from the const block of s3.go at v0.32.2 (attrBucket … attrRetryMaxAttempts).
    const upstream = ["bucket", "region", "prefix", "manifests_prefix", "blobs_prefix", "name", "touch_refresh", "endpoint_url", "access_key_id", "secret_access_key", "session_token", "use_path_style", "upload_parallelism", "disable_accept_encoding", "retry_mode", "retry_max_attempts"];
    expect(Object.keys(S3_CACHE_ATTRIBUTES).sort()).toEqual([...upstream].sort());
  });

  it("adds only the generic exporter attributes type, mode and ignore-error", () => {
    expect(Object.keys(GENERIC_CACHE_ATTRIBUTES).sort()).toEqual(["ignore-error", "mode", "type"]);
    expect(CACHE_ATTRIBUTE_NAMES).toHaveLength(19);
    expect([...CACHE_ATTRIBUTE_NAMES]).toEqual([...CACHE_ATTRIBUTE_NAMES].sort());
  });

  it("knows catalogue names and nothing else", () => {
    expect(isCacheAttribute("touch_refresh")).toBe(true);
    expect(isCacheAttribute("touch-refresh")).toBe(false);
    expect(isCacheAttribute("ignore_error")).toBe(false);
  });
});

describe("formatCacheAttributes", () => {
  it("joins key=value fields that parse back into the same pairs", () => {
    const entries: CacheAttributeEntry[] = [["type", "s3"], ["bucket", "b"], ["prefix", "c/dev/"], ["name", "app/main"], ["ignore-error", "true"]];
    const text = formatCacheAttributes(entries);
    expect(text).toBe("type=s3,bucket=b,prefix=c/dev/,name=app/main,ignore-error=true");
    expect(parseCacheAttributes(text)).toEqual(entries.map(([k, v]) => [k, v]));
  });

  it("rejects an unknown attribute name", () => {
    expect(() => formatCacheAttributes([["touch-refresh" as never, "24h"]])).toThrow('unknown BuildKit cache attribute "touch-refresh"');
  });

  it("refuses credential attributes on a command line", () => {
    for (const key of SECRET_CACHE_ATTRIBUTES) expect(() => formatCacheAttributes([[key, "x"]])).toThrow(`refusing to put the credential attribute "${key}"`);
  });

  it("rejects duplicates and values that would break the CSV syntax", () => {
    expect(() => formatCacheAttributes([["name", "a"], ["name", "b"]])).toThrow('duplicate BuildKit cache attribute "name"');
    for (const bad of ["", "a,b", "a b", 'a"b', "a=b"]) expect(() => formatCacheAttributes([["name", bad]])).toThrow("cache attribute name: expected a non-empty value");
  });

  it("parse rejects a field without a key", () => {
    expect(() => parseCacheAttributes("type=s3,=x")).toThrow('expected key=value, got "=x"');
  });
});
