import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/**
 * The outputs contract other teams read through `StackReference`.
 *
 * Versioning: `outputsVersion` is bumped on any breaking change (a key removed or renamed, a type changed,
 * a meaning changed). Adding a key is not breaking. Consumers check the version before reading anything else
 * (see `examples/consumer/`).
 */
export const OUTPUTS_VERSION = 1;

/** One BuildKit daemon clients can build on. */
export const builderOutputSchema = z.strictObject({
  /** Host (or container) name, e.g. "builder-1". */
  name: z.string().min(1),
  /** "shared" pool or the isolated "prod" builder. */
  role: z.enum(["shared", "prod"]),
  /** gRPC endpoint with mTLS, e.g. "tcp://builder-1.build.internal:1234". */
  endpoint: z.string().regex(/^tcp:\/\/[^\s/]+:\d+$/),
  /** TLS server name the certificate carries (pass as --tlsservername / servername=). */
  serverName: z.string().min(1),
  /** Platforms the builder builds natively; empty when the host's own. */
  platforms: z.array(z.string()),
  /** Prometheus /metrics URL of the daemon. */
  metricsUrl: z.string().regex(/^https?:\/\//),
  /** PEM of the CA that signed the server and client certificates (public). */
  caCertPem: z.string().includes("BEGIN CERTIFICATE"),
  /** PEM of the client certificate (public; its key is in the secret `builderClientKeys`). */
  clientCertPem: z.string().includes("BEGIN CERTIFICATE"),
  /** A `buildctl … debug workers` check; run it where ca.pem, client.pem and client-key.pem were written. */
  buildctlCommand: z.string().startsWith("buildctl --addr tcp://"),
  /** `docker buildx create` command line for the remote driver (same PEM files, from $PWD). */
  buildxCreateCommand: z.string().startsWith("docker buildx create "),
});

/** The shared S3 cache and the strings clients pass to use it. */
export const cacheOutputSchema = z.strictObject({
  backend: z.enum(["aws", "s3-compatible"]),
  bucket: z.string().min(1),
  region: z.string().min(1),
  /** S3 endpoint URL for s3-compatible stores; null on AWS. */
  endpoint: z.string().nullable(),
  /** Key prefix of this environment's cache objects. */
  prefix: z.string().min(1),
  /** `buildctl build --import-cache` value for the default branch. */
  importCache: z.string().startsWith("type=s3,"),
  /** `buildctl build --export-cache` value for the default branch. */
  exportCache: z.string().startsWith("type=s3,"),
  /** `docker buildx build --cache-from` value for the default branch. */
  cacheFrom: z.string().startsWith("type=s3,"),
  /** `docker buildx build --cache-to` value for the default branch. */
  cacheTo: z.string().startsWith("type=s3,"),
});

export const dashboardOutputSchema = z.strictObject({
  uid: z.string().min(1),
  title: z.string().min(1),
  url: z.string().regex(/^https?:\/\//),
});

export const pluginInventorySchema = z.strictObject({
  /** Host the plugins live on ("local" for the machine running Pulumi). */
  host: z.string().min(1),
  installDir: z.string().startsWith("/"),
  /** Required plugins and their pinned versions. */
  required: z.array(z.strictObject({ name: z.string().min(1), version: z.string().min(1) })),
  /** What the last audit found on the host (empty until the first `pulumi up`). */
  installed: z.array(z.strictObject({
    name: z.string(),
    path: z.string(),
    kind: z.enum(["cli", "engine"]),
    status: z.enum(["valid", "invalid", "shadowed"]),
    reason: z.string(),
    version: z.string(),
    vendor: z.string(),
    purpose: z.string(),
  })),
  /** Invalid plugins the last audit counted (alerted on through node_exporter). */
  invalidCount: z.number().int().min(0),
});

export const prodGateOutputSchema = z.strictObject({
  /** The release gate CI runs for production images. */
  command: z.string().min(1),
  /** The production CA (public); only certificates it signed are accepted by production builders. */
  caCertPem: z.string().includes("BEGIN CERTIFICATE"),
  /** The gate's client certificate; its key is `builderClientKeys["prod-gate"]`. */
  clientCertPem: z.string().includes("BEGIN CERTIFICATE"),
  /** Endpoints of the production builders the gate builds on. */
  builders: z.array(z.string().regex(/^tcp:\/\//)),
  /** Object-locked bucket holding one metadata record per gated build. */
  auditBucket: z.string().min(1),
});

/** Stack outputs as consumers see them (resolved values). */
export const stackOutputsSchema = z.strictObject({
  outputsVersion: z.literal(OUTPUTS_VERSION),
  environment: z.enum(["dev", "prod"]),
  builders: z.array(builderOutputSchema).min(1),
  /** Secret: builder name (and "prod-gate") → client private key PEM. */
  builderClientKeys: z.record(z.string(), z.string().includes("PRIVATE KEY")),
  cache: cacheOutputSchema,
  /** Secret: static S3 credentials when the stack owns them (dev MinIO); null when builders use their own role. */
  cacheCredentials: z.strictObject({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }).nullable(),
  prometheusUrl: z.string().regex(/^https?:\/\//),
  /** Null when alerts route through Grafana-managed alerting. */
  alertmanagerUrl: z.string().regex(/^https?:\/\//).nullable(),
  grafanaUrl: z.string().regex(/^https?:\/\//),
  /** Secret: the self-hosted Grafana's `admin` password; null against an existing Grafana. */
  grafanaAdminPassword: z.string().min(1).nullable(),
  grafanaDashboards: z.array(dashboardOutputSchema),
  pluginInventory: z.array(pluginInventorySchema),
  /** Null in dev (no production builder). */
  prodGate: prodGateOutputSchema.nullable(),
});

/** Names of outputs whose whole value is a Pulumi secret. */
export const SECRET_OUTPUT_NAMES = ["builderClientKeys", "cacheCredentials", "grafanaAdminPassword"] as const;

/** Key of the release gate's client key in `builderClientKeys`. */
export const PROD_GATE_KEY_NAME = "prod-gate";

export type StackOutputValues = z.output<typeof stackOutputsSchema>;
export type BuilderOutput = z.output<typeof builderOutputSchema>;
export type CacheOutput = z.output<typeof cacheOutputSchema>;
export type DashboardOutput = z.output<typeof dashboardOutputSchema>;
export type PluginInventory = z.output<typeof pluginInventorySchema>;
export type ProdGateOutput = z.output<typeof prodGateOutputSchema>;

/** What a stack program returns as outputs: each contract key, possibly still an Output. */
export type StackOutputs = { readonly [K in keyof StackOutputValues]: pulumi.Input<StackOutputValues[K]> };

/** Every output name, in contract order (index.ts exports each by this name). */
export const OUTPUT_NAMES = Object.keys(stackOutputsSchema.shape) as Array<keyof StackOutputValues>;
