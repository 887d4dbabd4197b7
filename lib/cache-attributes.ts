/**
 * The one catalogue of BuildKit v0.32.2 remote-cache attribute names for `type=s3`.
 *
 * Source: moby/buildkit `cache/remotecache/s3/s3.go` (the `attr*` constants read by `getConfig`),
 * plus the generic attributes the solver reads for every cache exporter (`mode`, `ignore-error`)
 * and the `type` key that selects the backend. BuildKit ignores unknown attributes silently,
 * so a typo would just switch a setting off: every string we emit is checked against this list.
 */

/** Attributes `cache/remotecache/s3/s3.go` reads, with BuildKit's own default where it has one. */
export const S3_CACHE_ATTRIBUTES = {
  bucket: "required (or $AWS_BUCKET on the daemon)",
  region: "required (or $AWS_REGION on the daemon)",
  prefix: "\"\" — prepended verbatim to every key, so end it with \"/\"",
  blobs_prefix: "\"blobs/\"",
  manifests_prefix: "\"manifests/\"",
  name: "\"buildkit\" — several joined by \";\" on export; import reads only the first",
  touch_refresh: "24h — a Go duration (h/m/s; \"d\" is not accepted and silently falls back to 24h)",
  endpoint_url: "\"\" — the AWS endpoint",
  use_path_style: "false — only applied together with endpoint_url",
  access_key_id: "\"\" — daemon credential chain when empty",
  secret_access_key: "\"\"",
  session_token: "\"\"",
  upload_parallelism: "4 — a positive integer",
  disable_accept_encoding: "false — for GCS HMAC (moby/buildkit#3749)",
  retry_mode: "SDK default — \"standard\" or \"adaptive\"",
  retry_max_attempts: "SDK default (3) — a positive integer",
} as const;

/** Attributes the solver reads for any cache exporter/importer. */
export const GENERIC_CACHE_ATTRIBUTES = {
  type: "the backend: \"s3\" here",
  mode: "\"min\" — \"max\" also exports intermediate steps",
  "ignore-error": "false — true keeps a failed cache export from failing the build",
} as const;

export type S3CacheAttribute = keyof typeof S3_CACHE_ATTRIBUTES;
export type GenericCacheAttribute = keyof typeof GENERIC_CACHE_ATTRIBUTES;
export type CacheAttribute = S3CacheAttribute | GenericCacheAttribute;

/** Every attribute name we may emit, sorted. */
export const CACHE_ATTRIBUTE_NAMES: readonly CacheAttribute[] = (
  [...Object.keys(GENERIC_CACHE_ATTRIBUTES), ...Object.keys(S3_CACHE_ATTRIBUTES)] as CacheAttribute[]
).sort();

/** Attributes that carry credentials: never put them on a command line (they land in build history). */
export const SECRET_CACHE_ATTRIBUTES: readonly S3CacheAttribute[] = ["access_key_id", "secret_access_key", "session_token"];

export function isCacheAttribute(name: string): name is CacheAttribute {
  return (CACHE_ATTRIBUTE_NAMES as readonly string[]).includes(name);
}

/** One `key=value` field of a cache flag, in emit order. */
export type CacheAttributeEntry = readonly [CacheAttribute, string];

/** Characters that would break the CSV field syntax buildctl and buildx parse. */
const UNSAFE_VALUE = /[,"'\s=]/;

/**
 * Joins attributes into the value of `--export-cache`/`--import-cache`/`--cache-to`/`--cache-from`.
 * Throws on an unknown or duplicate name, a secret attribute, or a value that needs quoting.
 */
export function formatCacheAttributes(entries: readonly CacheAttributeEntry[]): string {
  const seen = new Set<string>();
  return entries
    .map(([key, value]) => {
      if (!isCacheAttribute(key)) throw new Error(`unknown BuildKit cache attribute "${String(key)}" (known: ${CACHE_ATTRIBUTE_NAMES.join(", ")})`);
      if ((SECRET_CACHE_ATTRIBUTES as readonly string[]).includes(key)) throw new Error(`refusing to put the credential attribute "${key}" on a command line; give the daemon credentials instead`);
      if (seen.has(key)) throw new Error(`duplicate BuildKit cache attribute "${key}"`);
      if (value === "" || UNSAFE_VALUE.test(value)) throw new Error(`cache attribute ${key}: expected a non-empty value without commas, quotes, "=" or spaces, got ${JSON.stringify(value)}`);
      seen.add(key);
      return `${key}=${value}`;
    })
    .join(",");
}

/** Splits a cache flag value back into its fields, as buildctl does (comma-separated `key=value`). */
export function parseCacheAttributes(text: string): Array<[string, string]> {
  return text.split(",").map((field) => {
    const at = field.indexOf("=");
    if (at <= 0) throw new Error(`expected key=value, got ${JSON.stringify(field)}`);
    return [field.slice(0, at), field.slice(at + 1)];
  });
}
