import { stringify } from "smol-toml";
import { unknownOrDeprecatedKeys } from "../../lib/buildkitd-keys";
import { BUILDKIT_VERSION } from "../../lib/versions";
import { parseDuration, parsePercent, parseSize } from "../../lib/units";
import type { BuildkitdSettings, GcPolicy } from "./args";
import { DEFAULT_HOST_PATHS, TLS_FILES } from "./paths";

export interface BuildkitdTomlOptions {
  /** The Unix socket address buildkitd listens on. @default "unix:///run/buildkit/buildkitd.sock" */
  readonly unixSocket?: string;
  /** Directory holding ca.pem, server.pem, server-key.pem. @default "/etc/buildkit/tls" */
  readonly tlsDir?: string;
  /** Worker labels (`[worker.oci.labels]`). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Extra sections other components need (a cache registry's `[registry."host"]`, `[dns]`, ...).
   * Merged over the rendered document; every key must be in BUILDKIT_KEY_CATALOGUE.
   */
  readonly extra?: Readonly<Record<string, unknown>>;
}

type Table = Record<string, unknown>;

/** DiskSpace values: percentages stay strings, sizes become exact byte counts (go-units reads "GB" as GiB). */
function diskSpace(value: string): number | string {
  if (parsePercent(value) !== undefined) return value;
  const bytes = parseSize(value);
  if (bytes === undefined) throw new Error(`not a size or percentage: ${JSON.stringify(value)}`);
  return bytes;
}

/** Durations as whole seconds, which every buildkitd Duration field accepts ("7d" is not a Go duration). */
function seconds(value: string): number {
  const s = parseDuration(value);
  if (s === undefined) throw new Error(`not a duration: ${JSON.stringify(value)}`);
  return s;
}

function gcPolicyTable(rule: GcPolicy): Table {
  const table: Table = {};
  if (rule.all) table.all = true;
  if (rule.filters.length > 0) table.filters = [...rule.filters];
  if (rule.keepDuration !== undefined) table.keepDuration = seconds(rule.keepDuration);
  if (rule.reservedSpace !== undefined) table.reservedSpace = diskSpace(rule.reservedSpace);
  if (rule.maxUsedSpace !== undefined) table.maxUsedSpace = diskSpace(rule.maxUsedSpace);
  if (rule.minFreeSpace !== undefined) table.minFreeSpace = diskSpace(rule.minFreeSpace);
  return table;
}

/** Repository part of a frontend reference: "docker/dockerfile:1.26.0" → "docker/dockerfile" (buildkitd compares names only). */
export function frontendRepository(ref: string): string {
  const withoutDigest = ref.split("@")[0] ?? ref;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

/** The addresses buildkitd listens on: the Unix socket, plus the TCP listener when configured. */
export function grpcAddresses(settings: BuildkitdSettings, unixSocket = `unix://${DEFAULT_HOST_PATHS.unixSocket}`): string[] {
  return settings.grpc.tcpAddress === undefined ? [unixSocket] : [unixSocket, settings.grpc.tcpAddress];
}

function workerTable(settings: BuildkitdSettings, labels: Readonly<Record<string, string>>): Table {
  const { worker, gc } = settings;
  const table: Table = { enabled: true };
  if (worker.platforms.length > 0) table.platforms = [...worker.platforms];
  table.snapshotter = worker.snapshotter;
  table.rootless = worker.rootless;
  if (worker.type === "oci") table.noProcessSandbox = worker.noProcessSandbox;
  table["max-parallelism"] = worker.maxParallelism;
  table.gc = gc.enabled;
  table.reservedSpace = diskSpace(gc.reservedSpace);
  table.maxUsedSpace = diskSpace(gc.maxUsedSpace);
  table.minFreeSpace = diskSpace(gc.minFreeSpace);
  if (Object.keys(labels).length > 0) table.labels = sortRecord(labels);
  if (settings.gcPolicies.length > 0) table.gcpolicy = settings.gcPolicies.map(gcPolicyTable);
  return table;
}

function sortRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k] as T]));
}

function deepMerge(base: Table, extra: Readonly<Record<string, unknown>>): Table {
  const out: Table = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    const bothTables = isTable(current) && isTable(value);
    out[key] = bothTables ? deepMerge(current, value) : value;
  }
  return out;
}

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The buildkitd.toml document as an object (before TOML text), for tests and other renderers. */
export function buildkitdTomlDocument(settings: BuildkitdSettings, options: BuildkitdTomlOptions = {}): Table {
  const tlsDir = options.tlsDir ?? DEFAULT_HOST_PATHS.tlsDir;
  const grpc: Table = {
    address: grpcAddresses(settings, options.unixSocket),
    debugAddress: settings.grpc.debugAddress,
  };
  if (settings.grpc.tcpAddress !== undefined && settings.tls.mode !== "none") {
    grpc.tls = { ca: `${tlsDir}/${TLS_FILES.ca}`, cert: `${tlsDir}/${TLS_FILES.serverCert}`, key: `${tlsDir}/${TLS_FILES.serverKey}` };
  }
  const worker: Table = {};
  switch (settings.worker.type) {
    case "oci":
      worker.oci = workerTable(settings, options.labels ?? {});
      worker.containerd = { enabled: false };
      break;
    case "containerd":
      worker.oci = { enabled: false };
      worker.containerd = workerTable(settings, options.labels ?? {});
      break;
    default: {
      const unreachable: never = settings.worker.type;
      throw new Error(`unknown worker type ${String(unreachable)}`);
    }
  }
  const registry: Table = {};
  for (const host of Object.keys(settings.registryMirrors).sort()) {
    registry[host] = { mirrors: [...(settings.registryMirrors[host] ?? [])] };
  }
  let document: Table = {
    root: settings.rootDir,
    "insecure-entitlements": [...settings.insecureEntitlements].sort(),
    log: { format: settings.log.format, level: settings.log.debug ? "debug" : settings.log.level },
    grpc,
    history: { maxAge: seconds(settings.history.maxAge), maxEntries: settings.history.maxEntries },
    worker,
    frontend: {
      "dockerfile.v0": { enabled: true },
      "gateway.v0": { enabled: true, allowedRepositories: [...new Set(settings.allowedFrontends.map(frontendRepository))].sort() },
    },
  };
  if (Object.keys(registry).length > 0) document.registry = registry;
  if (options.extra) document = deepMerge(document, options.extra);
  const unknown = unknownOrDeprecatedKeys(document);
  if (unknown.length > 0) {
    throw new Error(`buildkitd.toml: buildkitd ${BUILDKIT_VERSION} would ignore or no longer honours these keys: ${unknown.join(", ")}`);
  }
  return document;
}

/** Renders /etc/buildkit/buildkitd.toml. Deterministic: same settings, same bytes. */
export function renderBuildkitdToml(settings: BuildkitdSettings, options: BuildkitdTomlOptions = {}): string {
  const header = "# Managed by the buildfarm Pulumi program (BuildkitHost). Local edits are overwritten.\n";
  return `${header}${stringify(buildkitdTomlDocument(settings, options))}\n`;
}
