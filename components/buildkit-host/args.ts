import { z } from "zod";
import { connectionSchema, resourceNameSchema } from "../common/connection";
import { durationSchema, parseSize, sizeOrPercentSchema, sizeSchema } from "../../lib/units";
import { BUILDKIT_DOWNLOAD_BASE_URL, BUILDKIT_VERSION } from "../../lib/versions";

/** Entitlements buildkitd knows; any other name is a typo. */
export const ENTITLEMENTS = ["network.host", "security.insecure", "device"] as const;

const cidrSchema = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$|^(localhost|any|link-local|multicast)$/, {
    error: "expected a CIDR like \"10.0.0.0/8\" or one of localhost, any, link-local, multicast",
  });

export const gcSchema = z.strictObject({
  /** @default true */
  enabled: z.boolean().default(true),
  /** Floor GC never goes below (not a cap). @default "10GB" */
  reservedSpace: sizeOrPercentSchema.default("10GB"),
  /** The cap on cache disk use. @default "80%" */
  maxUsedSpace: sizeOrPercentSchema.default("80%"),
  /** Disk space GC keeps free. @default "20%" */
  minFreeSpace: sizeOrPercentSchema.default("20%"),
});

/** One `[[worker.oci.gcpolicy]]` rule; rules run in order, the last one usually `all: true`. */
export const gcPolicySchema = z.strictObject({
  /** Applies to every record type. @default false */
  all: z.boolean().default(false),
  /** Record filters such as "type==source.local". @default [] */
  filters: z.array(z.string().regex(/^[a-zA-Z.]+(==|!=|~=)\S+$/, { error: "expected a filter like \"type==exec.cachemount\"" })).default([]),
  /** Records used more recently are kept. @default - none */
  keepDuration: durationSchema.optional(),
  /** @default - none */
  reservedSpace: sizeOrPercentSchema.optional(),
  /** @default - none */
  maxUsedSpace: sizeOrPercentSchema.optional(),
  /** @default - none */
  minFreeSpace: sizeOrPercentSchema.optional(),
});

export const buildkitdSettingsSchema = z.strictObject({
  /** @default "/var/lib/buildkit" */
  rootDir: z.string().startsWith("/", { error: "expected an absolute path" }).default("/var/lib/buildkit"),
  worker: z
    .strictObject({
      /** @default "oci" */
      type: z.enum(["oci", "containerd"]).default("oci"),
      /** @default false */
      rootless: z.boolean().default(false),
      /** @default "auto" */
      snapshotter: z.enum(["auto", "overlayfs", "native", "fuse-overlayfs", "stargz"]).default("auto"),
      /** @default [] (the host's own platform) */
      platforms: z.array(z.string().regex(/^linux\/[a-z0-9]+(\/v\d)?$/, { error: "expected a platform like \"linux/amd64\"" })).default([]),
      /** @default false */
      noProcessSandbox: z.boolean().default(false),
      /** Maximum parallel build steps. @default 4 */
      maxParallelism: z.number().int().min(1).max(256).default(4),
    })
    .prefault({}),
  gc: gcSchema.prefault({}),
  /** Ordered GC rules; empty means buildkitd's defaults derived from `gc`. @default [] */
  gcPolicies: z.array(gcPolicySchema).max(16).default([]),
  history: z
    .strictObject({
      /** @default "48h" */
      maxAge: durationSchema.default("48h"),
      /** @default 50 */
      maxEntries: z.number().int().min(1).max(100000).default(50),
    })
    .prefault({}),
  log: z
    .strictObject({
      /** @default "json" */
      format: z.enum(["json", "text"]).default("json"),
      /** @default "info" */
      level: z.enum(["error", "warn", "info", "debug", "trace"]).default("info"),
      /** @default false */
      debug: z.boolean().default(false),
    })
    .prefault({}),
  grpc: z
    .strictObject({
      /** TCP listener such as "tcp://0.0.0.0:1234"; requires TLS. @default - no TCP listener */
      tcpAddress: z.string().regex(/^tcp:\/\/[^\s/]+:\d+$/, { error: "expected an address like \"tcp://0.0.0.0:1234\"" }).optional(),
      /** Group owning the Unix socket (mode 0660). @default "buildkit" */
      socketGroup: z.string().default("buildkit"),
      /** Serves /metrics. @default "127.0.0.1:6060" */
      debugAddress: z.string().regex(/^[^\s/]+:\d+$/, { error: "expected host:port like \"127.0.0.1:6060\"" }).default("127.0.0.1:6060"),
    })
    .prefault({}),
  tls: z
    .strictObject({
      /** "generate" creates a CA and certificates with @pulumi/tls; "supplied" reads PEMs from secrets; "none" only without a TCP listener. @default "generate" */
      mode: z.enum(["generate", "supplied", "none"]).default("generate"),
      /** Extra DNS names / IPs for the server certificate. @default [] */
      serverNames: z.array(z.string().min(1)).default([]),
      /** @default 8760 (one year) */
      validityHours: z.number().int().min(24).max(87600).default(8760),
    })
    .prefault({}),
  /** Registry host → mirror hosts. @default {} */
  registryMirrors: z.record(z.string(), z.array(z.string().min(1))).default({}),
  /** Gateway frontends builds may use via `# syntax=`. @default ["docker/dockerfile"] */
  allowedFrontends: z.array(z.string().min(1)).default(["docker/dockerfile"]),
  /** @default [] */
  insecureEntitlements: z.array(z.enum(ENTITLEMENTS)).default([]),
});

export const hostResourcesSchema = z.strictObject({
  /** @default "200%" (two cores) */
  cpuQuota: z.string().regex(/^\d+%$/, { error: "expected a CPU quota like \"200%\"" }).default("200%"),
  /** @default 100 */
  cpuWeight: z.number().int().min(1).max(10000).default(100),
  /** @default "6GiB" */
  memoryHigh: sizeSchema.default("6GiB"),
  /** @default "8GiB" */
  memoryMax: sizeSchema.default("8GiB"),
  /** @default 100 */
  ioWeight: z.number().int().min(1).max(10000).default(100),
  /** Per-device bandwidth limits. @default [] */
  ioBandwidth: z
    .array(z.strictObject({ device: z.string().startsWith("/dev/"), readBandwidth: sizeSchema.optional(), writeBandwidth: sizeSchema.optional() }))
    .default([]),
  /** @default 4096 */
  tasksMax: z.number().int().min(16).max(4194304).default(4096),
  /** @default 1048576 */
  limitNofile: z.number().int().min(1024).max(1073741816).default(1048576),
});

export const buildkitHostSchema = z.strictObject({
  name: resourceNameSchema,
  connection: connectionSchema,
  /** @default "auto" (detected on the host) */
  arch: z.enum(["auto", "amd64", "arm64"]).default("auto"),
  /** @default "shared" */
  role: z.enum(["shared", "prod"]).default("shared"),
  buildkitd: buildkitdSettingsSchema.prefault({}),
  resources: hostResourcesSchema.prefault({}),
  /** Networks allowed to reach the gRPC and metrics ports. @default ["localhost"] */
  allowedNetworks: z.array(cidrSchema).default(["localhost"]),
  /**
   * Networks the daemon itself may talk to (registries, cache store). systemd's IPAddressAllow filters
   * both directions, so this list is joined with allowedNetworks. @default ["any"]
   */
  egressNetworks: z.array(cidrSchema).default(["any"]),
  /** User that runs a rootless daemon (needs /etc/subuid and /etc/subgid entries). @default "buildkit" */
  rootlessUser: z.string().regex(/^[a-z_][a-z0-9_-]*$/, { error: "expected a POSIX user name" }).default("buildkit"),
  insightsExporter: z
    .strictObject({
      /** Where the build-insights exporter serves /metrics. @default "127.0.0.1:9469" */
      listenAddress: z.string().regex(/^[^\s/]+:\d+$/, { error: "expected host:port like \"127.0.0.1:9469\"" }).default("127.0.0.1:9469"),
    })
    .prefault({}),
  /** @default false */
  purgeCacheOnDelete: z.boolean().default(false),
  /** @default {} */
  labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
}).superRefine((host, ctx) => {
  const { memoryHigh, memoryMax } = host.resources;
  if ((parseSize(memoryHigh) ?? 0) > (parseSize(memoryMax) ?? 0)) {
    ctx.addIssue({ code: "custom", path: ["resources", "memoryHigh"], message: `expected at most memoryMax (${memoryMax}), got "${memoryHigh}"` });
  }
  if (host.buildkitd.worker.rootless && host.buildkitd.worker.type === "containerd") {
    ctx.addIssue({ code: "custom", path: ["buildkitd", "worker", "type"], message: "expected \"oci\" with rootless: true (the containerd worker runs rootful), got \"containerd\"" });
  }
  if (host.buildkitd.worker.rootless && host.buildkitd.insecureEntitlements.includes("security.insecure")) {
    ctx.addIssue({ code: "custom", path: ["buildkitd", "insecureEntitlements"], message: "expected no \"security.insecure\" on a rootless daemon (it cannot grant it), got it" });
  }
  host.buildkitd.gcPolicies.forEach((rule, i) => {
    if (!rule.all && rule.filters.length === 0) {
      ctx.addIssue({ code: "custom", path: ["buildkitd", "gcPolicies", i, "filters"], message: "expected filters, or all: true, got neither" });
    }
  });
});

const seconds = (max: number) => z.int().min(1).max(max);
export const downloadLimitsSchema = z.strictObject({
  /** curl --connect-timeout. @default 10 */
  connectTimeoutSeconds: seconds(300).default(10),
  /** curl --max-time: one attempt, whole transfer. @default 600 */
  maxTimeSeconds: seconds(3600).default(600),
  /** Abort an attempt slower than lowSpeedBytesPerSecond for lowSpeedSeconds (curl --speed-limit/--speed-time). @default 1024 */
  lowSpeedBytesPerSecond: z.int().min(1).default(1024),
  /** @default 30 */
  lowSpeedSeconds: seconds(600).default(30),
  /** Attempts per file. @default 3 */
  attempts: z.int().min(1).max(10).default(3),
  /** Pause before the second attempt, doubled before each further one. @default 2 */
  backoffSeconds: seconds(120).default(2),
});

export const buildkitReleaseSchema = z.strictObject({
  /** @default "v0.32.2" */
  version: z.string().regex(/^v\d+\.\d+\.\d+$/, { error: "expected a release tag like \"v0.32.2\"" }).default(BUILDKIT_VERSION),
  /** @default "https://github.com/moby/buildkit/releases/download" */
  downloadBaseUrl: z.url({ protocol: /^https?$/ }).default(BUILDKIT_DOWNLOAD_BASE_URL),
  /**
   * Expected tarball sha256 per architecture, over the pins in lib/versions.ts. Prod refuses a version with
   * neither; dev falls back to the mirror's provenance.json (integrity only, not authenticity). @default {}
   */
  sha256: z.strictObject({ amd64: z.string().regex(/^[a-f0-9]{64}$/).optional(), arm64: z.string().regex(/^[a-f0-9]{64}$/).optional() }).prefault({}),
  /** Bounds of every download on a host: a stalled mirror fails fast and the running release stays. @default {} */
  download: downloadLimitsSchema.prefault({}),
});

export type BuildkitdSettings = z.output<typeof buildkitdSettingsSchema>;
export type BuildkitHostSettings = z.output<typeof buildkitHostSchema>;
export type BuildkitHostInput = z.input<typeof buildkitHostSchema>;
export type BuildkitRelease = z.output<typeof buildkitReleaseSchema>;
export type DownloadLimits = z.output<typeof downloadLimitsSchema>;
export type GcPolicy = z.output<typeof gcPolicySchema>;
export type HostResources = z.output<typeof hostResourcesSchema>;
