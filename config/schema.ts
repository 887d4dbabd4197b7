import { z } from "zod";
import { builderPoolProblems, builderPoolSchema } from "../components/builder-pool";
import { buildkitHostSchema, buildkitReleaseSchema, type BuildkitHostSettings } from "../components/buildkit-host/args";
import { distributedCacheSchema } from "../components/distributed-cache/args";
import { kubernetesPoolSchema } from "../components/kubernetes-pool/args";
import { kubernetesPoolProblems } from "../components/kubernetes-pool/validate";
import { monitoringSchema } from "../components/monitoring/args";
import { pluginSetSchema } from "../components/plugin-set/args";
import { productionBuilderSchema } from "../components/production-builder/args";
import { productionBuilderProblems } from "../components/production-builder/validate";
import { parseDuration } from "../lib/units";

/** The Docker host that runs the dev farm. */
export const dockerHostSchema = z.strictObject({
  /** @default "unix:///var/run/docker.sock" */
  host: z.string().regex(/^(unix|ssh|tcp):\/\/\S+$/, { error: "expected a Docker host like \"unix:///var/run/docker.sock\" or \"ssh://user@host\"" }).default("unix:///var/run/docker.sock"),
  /** Address published ports bind to. @default "127.0.0.1" */
  bindAddress: z.string().default("127.0.0.1"),
  /** Containers allowed to run privileged (none need it). @default [] */
  allowPrivileged: z.array(z.string()).default([]),
});

/** Lifecycle expiry must outlast several touch_refresh periods, or live blobs get deleted (moby/buildkit#3223). */
export const MIN_RETENTION_TOUCH_RATIO = 3;

export const stackConfigSchema = z
  .strictObject({
    environment: z.enum(["dev", "prod"]),
    buildkit: buildkitReleaseSchema.prefault({}),
    docker: dockerHostSchema.prefault({}),
    hosts: z.array(buildkitHostSchema).default([]),
    cache: distributedCacheSchema.optional(),
    monitoring: monitoringSchema.prefault({}),
    plugins: pluginSetSchema.prefault({}),
    productionBuilder: productionBuilderSchema.optional(),
    /** Builder pools: one HAProxy front per pool queueing builds by team quota and class. @default [] */
    pools: z.array(builderPoolSchema).default([]),
    /** Builder pools on Kubernetes (prod): StatefulSet of rootless buildkitd, HAProxy front, KEDA. @default [] */
    kubernetesPools: z.array(kubernetesPoolSchema).default([]),
    /** SSH private key for `ssh` connections (a Pulumi secret). */
    sshPrivateKey: z.string().min(1).optional(),
    /** Access key pair for an s3-compatible cache (Pulumi secrets). */
    cacheAccessKeyId: z.string().min(1).optional(),
    cacheSecretAccessKey: z.string().min(1).optional(),
  })
  .superRefine((config, ctx) => {
    const allHosts: Array<{ host: BuildkitHostSettings; path: PropertyKey[] }> = [
      ...config.hosts.map((host, i) => ({ host, path: ["hosts", i] })),
      ...(config.productionBuilder?.hosts ?? []).map((host, i) => ({ host, path: ["productionBuilder", "hosts", i] })),
    ];
    const seenNames = new Map<string, string>();
    const seenAddresses = new Map<string, string>();
    for (const { host, path } of allHosts) {
      if (seenNames.has(host.name)) ctx.addIssue({ code: "custom", path: [...path, "name"], message: `expected a unique host name, got "${host.name}" (also used by ${seenNames.get(host.name)})` });
      seenNames.set(host.name, path.join("."));
      if (host.connection.type === "ssh") {
        const address = host.connection.host;
        if (seenAddresses.has(address)) ctx.addIssue({ code: "custom", path: [...path, "connection", "host"], message: `expected a dedicated host, got "${address}" (also used by ${seenAddresses.get(address)})` });
        seenAddresses.set(address, path.join("."));
        if (!host.connection.useAgent && config.sshPrivateKey === undefined) {
          ctx.addIssue({ code: "custom", path: [...path, "connection", "useAgent"], message: "expected useAgent: true or the secret buildfarm:sshPrivateKey to be set for an ssh connection" });
        }
      }
      if (host.buildkitd.grpc.tcpAddress !== undefined && host.buildkitd.tls.mode === "none") {
        ctx.addIssue({ code: "custom", path: [...path, "buildkitd", "tls", "mode"], message: `expected "generate" or "supplied": the TCP listener ${host.buildkitd.grpc.tcpAddress} requires mTLS` });
      }
    }
    const cache = config.cache;
    if (cache) {
      const touchSeconds = parseDuration(cache.touchRefresh) ?? 0;
      if (cache.retentionDays * 86400 < MIN_RETENTION_TOUCH_RATIO * touchSeconds) {
        const minDays = Math.ceil((MIN_RETENTION_TOUCH_RATIO * touchSeconds) / 86400);
        ctx.addIssue({ code: "custom", path: ["cache", "retentionDays"], message: `expected at least ${MIN_RETENTION_TOUCH_RATIO}x touchRefresh (${cache.touchRefresh}) = ${minDays} days so lifecycle expiry never deletes blobs BuildKit still re-touches (moby/buildkit#3223), got ${cache.retentionDays}` });
      }
      if (cache.backend === "s3-compatible") {
        if (cache.allowInsecureEndpoint && config.environment !== "dev") {
          ctx.addIssue({ code: "custom", path: ["cache", "allowInsecureEndpoint"], message: `expected false outside dev (plain http would expose cache traffic), got true in ${config.environment}` });
        }
        const insecure = cache.endpoint.startsWith("http://");
        if (insecure && !(cache.allowInsecureEndpoint && config.environment === "dev")) {
          ctx.addIssue({ code: "custom", path: ["cache", "endpoint"], message: `expected an https URL (http only with allowInsecureEndpoint: true in dev), got "${cache.endpoint}"` });
        }
        // dev runs its own MinIO and generates the keys; elsewhere the store's keys are required.
        if (config.environment !== "dev" && (config.cacheAccessKeyId === undefined || config.cacheSecretAccessKey === undefined)) {
          ctx.addIssue({ code: "custom", path: ["cacheSecretAccessKey"], message: "expected the secrets buildfarm:cacheAccessKeyId and buildfarm:cacheSecretAccessKey for an s3-compatible cache" });
        }
      }
    }
    if (config.monitoring.mode === "existing") {
      for (const key of ["prometheusUrl", "grafanaUrl"] as const) {
        if (config.monitoring[key] === undefined) ctx.addIssue({ code: "custom", path: ["monitoring", key], message: `expected a URL when monitoring.mode is "existing", got nothing` });
      }
    }
    // Production builder hardening and gate rules (components/production-builder/validate.ts).
    for (const problem of config.productionBuilder ? productionBuilderProblems(config.productionBuilder) : []) {
      ctx.addIssue({ code: "custom", path: ["productionBuilder", ...problem.path], message: problem.message });
    }
    // Builder pools: builders exist, are in one pool only and are never the production builder (components/builder-pool/validate.ts).
    const poolContext = { hostNames: config.hosts.map((h) => h.name), productionHostNames: (config.productionBuilder?.hosts ?? []).map((h) => h.name) };
    for (const problem of builderPoolProblems(config.pools, poolContext)) {
      ctx.addIssue({ code: "custom", path: ["pools", ...problem.path], message: problem.message });
    }
    // Kubernetes pools (components/kubernetes-pool/validate.ts); names must not collide.
    const poolNamesSeen = new Set<string>();
    config.kubernetesPools.forEach((pool, i) => {
      if (poolNamesSeen.has(pool.name)) ctx.addIssue({ code: "custom", path: ["kubernetesPools", i, "name"], message: `expected a unique pool name, got "${pool.name}"` });
      poolNamesSeen.add(pool.name);
      for (const problem of kubernetesPoolProblems(pool)) ctx.addIssue({ code: "custom", path: ["kubernetesPools", i, ...problem.path], message: problem.message });
    });
    if (config.environment === "dev" && config.kubernetesPools.length > 0) {
      ctx.addIssue({ code: "custom", path: ["kubernetesPools"], message: "expected no Kubernetes pools in dev (the dev farm runs on the local Docker engine)" });
    }
    // The dev stack runs its own MinIO and points the s3-compatible cache at it (stacks/dev.ts); without a cache section it uses its defaults.
    if (config.environment === "dev" && config.cache !== undefined && config.cache.backend !== "s3-compatible") {
      ctx.addIssue({ code: "custom", path: ["cache", "backend"], message: `expected "s3-compatible" in dev (the dev stack runs MinIO), got ${JSON.stringify(config.cache.backend)}` });
    }
    if (config.environment === "prod") {
      if (config.productionBuilder === undefined) ctx.addIssue({ code: "custom", path: ["productionBuilder"], message: "expected a productionBuilder section: a prod stack needs a dedicated production builder" });
      if (config.cache?.backend !== "aws") ctx.addIssue({ code: "custom", path: ["cache", "backend"], message: `expected "aws" in prod, got ${JSON.stringify(config.cache?.backend ?? null)}` });
      if (config.hosts.length === 0) ctx.addIssue({ code: "custom", path: ["hosts"], message: "expected at least one builder host in prod, got none" });
      // The repository is the trust root for plugin binaries: pinned digests, and no plain-HTTP mirrors.
      if (!config.plugins.requirePinnedDigests) ctx.addIssue({ code: "custom", path: ["plugins", "requirePinnedDigests"], message: "expected true in prod: every plugin version needs a pinned sha256, got false" });
      if (config.plugins.allowHttpMirrors) ctx.addIssue({ code: "custom", path: ["plugins", "allowHttpMirrors"], message: "expected false in prod: plugin mirrors must be https://, got true" });
      // A mirror's own provenance proves nothing about forgery; in prod the transport must at least be TLS.
      if (!config.buildkit.downloadBaseUrl.startsWith("https://")) ctx.addIssue({ code: "custom", path: ["buildkit", "downloadBaseUrl"], message: `expected an https:// mirror in prod, got ${JSON.stringify(config.buildkit.downloadBaseUrl)}` });
      if (config.monitoring.alerting.webhookUrl === undefined && config.monitoring.alerting.slackChannel === undefined) {
        ctx.addIssue({ code: "custom", path: ["monitoring", "alerting", "webhookUrl"], message: "expected an alert route (webhookUrl or slackChannel) in prod, got nothing" });
      }
      // Prometheus scrapes every SSH host (pool and production builder) from another machine: no loopback-only listeners.
      for (const { host, path } of allHosts) {
        if (host.connection.type !== "ssh") continue;
        const listeners: Array<[PropertyKey[], string]> = [[["buildkitd", "grpc", "debugAddress"], host.buildkitd.grpc.debugAddress], [["insightsExporter", "listenAddress"], host.insightsExporter.listenAddress]];
        for (const [key, address] of listeners) {
          if (/^(127\.|localhost:|\[::1\]:)/.test(address)) ctx.addIssue({ code: "custom", path: [...path, ...key], message: `expected an address Prometheus can reach, like "0.0.0.0:${address.split(":").pop()}" (limited by allowedNetworks), got "${address}"` });
        }
      }
      for (const [i, host] of (config.productionBuilder?.hosts ?? []).entries()) {
        const path = ["productionBuilder", "hosts", i, "buildkitd"];
        if (!host.buildkitd.worker.rootless) ctx.addIssue({ code: "custom", path: [...path, "worker", "rootless"], message: "expected true: production builders run rootless" });
        if (host.buildkitd.worker.noProcessSandbox) ctx.addIssue({ code: "custom", path: [...path, "worker", "noProcessSandbox"], message: "expected false: production builders keep the process sandbox" });
        if (host.buildkitd.insecureEntitlements.length > 0) ctx.addIssue({ code: "custom", path: [...path, "insecureEntitlements"], message: `expected no insecure entitlements on a production builder, got ${JSON.stringify(host.buildkitd.insecureEntitlements)}` });
      }
    }
  });

export type StackConfig = z.output<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;
/** Config keys whose values are secrets. */
export const SECRET_CONFIG_KEYS = ["sshPrivateKey", "cacheAccessKeyId", "cacheSecretAccessKey"] as const;
