/**
 * Every buildkitd.toml key buildkitd v0.32.2 reads. buildkitd decodes its config with plain `toml.Decode`
 * and ignores unknown keys silently, so a typo is never an error there: the renderer must only emit keys
 * from this catalogue, and a test walks every rendered file against it.
 *
 * Source: moby/buildkit `cmd/buildkitd/config/config.go` (Config, GRPCConfig, TLSConfig, OTELConfig,
 * CDIConfig, GCConfig, NetworkConfig, OCIConfig, ContainerdConfig, ContainerdRuntime, GCPolicy, DNSConfig,
 * HistoryConfig, *FrontendConfig, SystemConfig), `util/resolver/config/config.go` (RegistryConfig,
 * TLSKeyPair) and `docs/buildkitd.toml.md` for the keys added since (`[log] level`, `proxyNetwork`,
 * `[system] maxRegistryConcurrency`).
 *
 * Paths use `*` for a map key chosen by the user (registry host, label name). Arrays of tables
 * (`[[worker.oci.gcpolicy]]`) use the table's own path.
 */

export interface KeyInfo {
  /** Set when upstream deprecated the key; the renderer must not emit it. */
  readonly deprecated?: string;
}

const GC_KEYS = ["gc", "reservedSpace", "maxUsedSpace", "minFreeSpace", "gcpolicy.all", "gcpolicy.filters", "gcpolicy.keepDuration", "gcpolicy.reservedSpace", "gcpolicy.maxUsedSpace", "gcpolicy.minFreeSpace"];
const GC_DEPRECATED: Record<string, string> = { gckeepstorage: "use reservedSpace", "gcpolicy.keepBytes": "use reservedSpace" };
const NETWORK_KEYS = ["networkMode", "cniConfigPath", "cniBinaryPath", "cniPoolSize", "bridgeName", "bridgeSubnet"];
const WORKER_COMMON = ["enabled", "labels.*", "platforms", "snapshotter", "rootless", "apparmor-profile", "selinux", "max-parallelism", "defaultCgroupParent", ...GC_KEYS, ...NETWORK_KEYS];
const OCI_ONLY = ["noProcessSandbox", "userRemapUnsupported", "binary", "proxySnapshotterPath", "isolateCgroups", "stargzSnapshotter.*"];
const CONTAINERD_ONLY = ["address", "namespace", "runtime.name", "runtime.path", "runtime.options.*"];
const REGISTRY_KEYS = ["mirrors", "http", "insecure", "ca", "keypair.key", "keypair.cert", "tlsconfigdir", "capabilities"];

function entries(prefix: string, keys: readonly string[], info: KeyInfo = {}): Array<[string, KeyInfo]> {
  return keys.map((key) => [`${prefix}${key}`, info]);
}

/** Dotted key path → facts about it. Section names containing dots are quoted, as in TOML. */
export const BUILDKIT_KEY_CATALOGUE: Readonly<Record<string, KeyInfo>> = Object.fromEntries([
  ...entries("", ["root", "insecure-entitlements", "proxyNetwork", "provenanceEnvDir"]),
  ["debug", { deprecated: "use [log] level = \"debug\"" }],
  ["trace", { deprecated: "use [log] level = \"trace\"" }],
  ...entries("log.", ["format", "level"]),
  ...entries("grpc.", ["address", "debugAddress", "uid", "gid", "securityDescriptor", "tls.cert", "tls.key", "tls.ca"]),
  ...entries("otel.", ["socketPath"]),
  ...entries("cdi.", ["disabled", "specDirs", "autoAllowed"]),
  ...entries("worker.oci.", [...WORKER_COMMON, ...OCI_ONLY]),
  ...Object.entries(GC_DEPRECATED).map(([key, why]): [string, KeyInfo] => [`worker.oci.${key}`, { deprecated: why }]),
  ...entries("worker.containerd.", [...WORKER_COMMON, ...CONTAINERD_ONLY]),
  ...Object.entries(GC_DEPRECATED).map(([key, why]): [string, KeyInfo] => [`worker.containerd.${key}`, { deprecated: why }]),
  ...entries("registry.*.", REGISTRY_KEYS),
  ...entries("dns.", ["nameservers", "options", "searchDomains"]),
  ...entries("history.", ["maxAge", "maxEntries"]),
  ...entries("frontend.\"dockerfile.v0\".", ["enabled"]),
  ...entries("frontend.\"gateway.v0\".", ["enabled", "allowedRepositories"]),
  ...entries("system.", ["platformsCacheMaxAge", "maxRegistryConcurrency"]),
]);

/** Joins path segments the way TOML writes keys: bare when possible, quoted otherwise. */
export function tomlKeyPath(segments: readonly string[]): string {
  return segments.map((s) => (/^[A-Za-z0-9_-]+$/.test(s) ? s : JSON.stringify(s))).join(".");
}

function splitKeyPath(path: string): string[] {
  return [...path.matchAll(/"((?:[^"\\]|\\.)*)"|([^.]+)/g)].map((m) => (m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : (m[2] as string)));
}

const CATALOGUE_PATHS = Object.keys(BUILDKIT_KEY_CATALOGUE).map((key) => ({ key, segments: splitKeyPath(key) }));

/** The catalogue entry a concrete key path (segments) falls under, or undefined when buildkitd would ignore it. */
export function findCatalogueKey(segments: readonly string[]): string | undefined {
  for (const { key, segments: pattern } of CATALOGUE_PATHS) {
    if (pattern.length === segments.length && pattern.every((p, i) => p === "*" || p === segments[i])) return key;
  }
  // A `*` at the end of a pattern (labels.*, runtime.options.*) also covers nested values under it.
  for (const { key, segments: pattern } of CATALOGUE_PATHS) {
    const last = pattern.length - 1;
    if (pattern[last] === "*" && segments.length > pattern.length && pattern.every((p, i) => p === "*" || p === segments[i])) return key;
  }
  return undefined;
}

/** Every leaf key path in a parsed TOML document; arrays of tables are walked element by element. */
export function leafKeyPaths(document: Record<string, unknown>, prefix: readonly string[] = []): string[][] {
  const paths: string[][] = [];
  for (const [key, value] of Object.entries(document)) {
    const path = [...prefix, key];
    if (Array.isArray(value) && value.length > 0 && value.every(isTable)) {
      for (const item of value) paths.push(...leafKeyPaths(item as Record<string, unknown>, path));
    } else if (isTable(value)) {
      paths.push(...leafKeyPaths(value, path));
    } else {
      paths.push(path);
    }
  }
  return paths;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date);
}

/** Keys of a document buildkitd v0.32.2 would ignore or that upstream deprecated, as `tomlKeyPath` strings. */
export function unknownOrDeprecatedKeys(document: Record<string, unknown>): string[] {
  return leafKeyPaths(document)
    .filter((segments) => {
      const key = findCatalogueKey(segments);
      return key === undefined || BUILDKIT_KEY_CATALOGUE[key]?.deprecated !== undefined;
    })
    .map(tomlKeyPath);
}
