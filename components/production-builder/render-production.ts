import type { BuildkitHostSettings, BuildkitRelease } from "../buildkit-host/args";
import type { ResolvedCache } from "../distributed-cache/resolve";
import type { ProductionBuilderSettings } from "./args";
import { GATE_PATHS, renderProdBuildScript, type GateScriptSettings, type ProductionCachePrefixes } from "./render-gate";
import { productionMonitoring, type ProductionMonitoring } from "./render-monitoring";
import { buildSourcePolicy, renderSourcePolicy, type SourcePolicy } from "./render-source-policy";

type CacheInput = Pick<ResolvedCache, "bucket" | "region" | "prefix"> & Partial<Pick<ResolvedCache, "retryMode" | "retryMaxAttempts" | "touchRefresh" | "uploadParallelism">>;

/** `buildkit-cache/prod/` → `buildkit-cache/prod-release/`: a sibling of the environment prefix. */
export function productionCachePrefixes(cache: CacheInput, settings: ProductionBuilderSettings): ProductionCachePrefixes {
  const parent = cache.prefix.replace(/[^/]*\/?$/, "");
  return {
    bucket: cache.bucket,
    region: cache.region,
    productionPrefix: `${parent}${settings.cachePrefix}/`,
    ...(settings.readSharedCache ? { sharedPrefix: cache.prefix } : {}),
    ...(cache.retryMode !== undefined ? { retryMode: cache.retryMode } : {}),
    ...(cache.retryMaxAttempts !== undefined ? { retryMaxAttempts: cache.retryMaxAttempts } : {}),
    ...(cache.touchRefresh !== undefined ? { touchRefresh: cache.touchRefresh } : {}),
    ...(cache.uploadParallelism !== undefined ? { uploadParallelism: cache.uploadParallelism } : {}),
  };
}

/** The address the gate uses by default: the first host's mTLS TCP listener, else its Unix socket. */
export function gateAddress(host: BuildkitHostSettings): string {
  const tcp = host.buildkitd.grpc.tcpAddress;
  if (tcp === undefined) return "unix:///run/buildkit/buildkitd.sock";
  const port = tcp.slice(tcp.lastIndexOf(":") + 1);
  const name = host.connection.type === "ssh" ? host.connection.host : "127.0.0.1";
  return `tcp://${name}:${port}`;
}

export function endpoints(settings: ProductionBuilderSettings): string[] {
  return settings.hosts.filter((h) => h.buildkitd.grpc.tcpAddress !== undefined).map(gateAddress);
}

/** Gate settings; the default address is `host`'s (the first host's for the CI copy). */
export function gateSettings(settings: ProductionBuilderSettings, release: BuildkitRelease, cache: ProductionCachePrefixes | undefined, host = settings.hosts[0]): GateScriptSettings {
  if (host === undefined) throw new Error("expected at least one production host");
  const { sourcePolicy, gate, auditBucket } = settings;
  return {
    buildkitVersion: release.version,
    defaultBuildkitAddress: gateAddress(host),
    allowedRegistries: sourcePolicy.allowedRegistries,
    requireDigest: sourcePolicy.requireDigest,
    pinnedImages: Object.keys(sourcePolicy.pins),
    allowedFrontends: [...new Set(settings.hosts.flatMap((h) => h.buildkitd.allowedFrontends))],
    sbomGenerator: sourcePolicy.sbomGenerator,
    scanner: gate.scanner,
    failOnSeverity: gate.failOnSeverity,
    signing: gate.signing,
    cosignKey: gate.cosignKey,
    cosignPublicKey: gate.cosignPublicKey,
    certificateIdentity: gate.certificateIdentity,
    certificateOidcIssuer: gate.certificateOidcIssuer,
    auditUrl: `s3://${auditBucket.name}/${auditBucket.prefix}`,
    uploader: gate.uploader,
    cache,
  };
}

/** Everything the production builder renders itself (the hosts' buildkitd.toml and units come from BuildkitHost). */
export interface RenderedProduction {
  readonly sourcePolicy: SourcePolicy;
  /** Per host: the source policy text (hosts may pin different frontends). */
  readonly sourcePolicyByHost: Readonly<Record<string, string>>;
  readonly gateScript: string;
  readonly gateCommand: string;
  readonly monitoring: ProductionMonitoring;
}

/** The copy installed on one production host (its own listener by default). */
export function gateScriptForHost(settings: ProductionBuilderSettings, release: BuildkitRelease, cache: ProductionCachePrefixes | undefined, host: BuildkitHostSettings): string {
  return renderProdBuildScript(gateSettings(settings, release, cache, host));
}

export function renderProduction(settings: ProductionBuilderSettings, release: BuildkitRelease, cache: ProductionCachePrefixes | undefined): RenderedProduction {
  const gate = gateSettings(settings, release, cache);
  const sourcePolicyByHost = Object.fromEntries(settings.hosts.map((h) => [h.name, renderSourcePolicy(settings.sourcePolicy, h.buildkitd.allowedFrontends)]));
  return {
    sourcePolicy: buildSourcePolicy(settings.sourcePolicy, gate.allowedFrontends),
    sourcePolicyByHost,
    gateScript: renderProdBuildScript(gate),
    gateCommand: [
      `BUILDKIT_HOST=${gate.defaultBuildkitAddress}`,
      "PROD_BUILD_TLS_DIR=<dir with ca.pem client.pem client-key.pem>",
      `PROD_BUILD_SOURCE_POLICY=<source-policy.json, or ${GATE_PATHS.sourcePolicy} on the builder>`,
      "sh prod-build.sh --context . --image <registry/name:tag> --revision \"$GIT_COMMIT\"",
    ].join(" "),
    monitoring: productionMonitoring(settings),
  };
}
