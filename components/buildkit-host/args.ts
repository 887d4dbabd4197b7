import { z } from "zod";
import { connectionSchema, resourceNameSchema } from "../common/connection";
import { durationSchema, sizeOrPercentSchema, sizeSchema } from "../../lib/units";

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
  /** @default false */
  purgeCacheOnDelete: z.boolean().default(false),
  /** @default {} */
  labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
});

export const buildkitReleaseSchema = z.strictObject({
  /** @default "v0.32.2" */
  version: z.string().regex(/^v\d+\.\d+\.\d+$/, { error: "expected a release tag like \"v0.32.2\"" }).default("v0.32.2"),
  /** @default "https://github.com/moby/buildkit/releases/download" */
  downloadBaseUrl: z.url({ protocol: /^https?$/ }).default("https://github.com/moby/buildkit/releases/download"),
  /** Expected tarball sha256 per architecture; without it the release's provenance.json is used. @default {} */
  sha256: z.strictObject({ amd64: z.string().regex(/^[a-f0-9]{64}$/).optional(), arm64: z.string().regex(/^[a-f0-9]{64}$/).optional() }).prefault({}),
});

export type BuildkitdSettings = z.output<typeof buildkitdSettingsSchema>;
export type BuildkitHostSettings = z.output<typeof buildkitHostSchema>;
export type BuildkitHostInput = z.input<typeof buildkitHostSchema>;
export type BuildkitRelease = z.output<typeof buildkitReleaseSchema>;
export type HostResources = z.output<typeof hostResourcesSchema>;
