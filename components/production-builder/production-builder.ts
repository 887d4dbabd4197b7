import * as pulumi from "@pulumi/pulumi";
import { configKeyPath } from "../../config/errors";
import type { Artifact } from "../../lib/artifacts";
import { BuildkitHost, type BuildkitHostArgs } from "../buildkit-host/buildkit-host";
import type { BuildkitRelease } from "../buildkit-host/args";
import type { ResolvedCache } from "../distributed-cache/resolve";
import type { ProductionBuilderSettings } from "./args";
import { createAuditStore } from "./audit-store";
import { createCacheAccess, withoutAwsKeys } from "./cache-access";
import { GATE_SCRIPT_FILE, SOURCE_POLICY_FILE } from "./render-gate";
import type { ProductionMonitoring } from "./render-monitoring";
import { endpoints, gateScriptForHost, productionCachePrefixes, renderProduction } from "./render-production";
import { createGateClientCertificate, createProductionCa } from "./tls";
import { productionBuilderProblems } from "./validate";

export const PRODUCTION_BUILDER_TYPE = "buildfarm:index:ProductionBuilder";

export interface ProductionBuilderArgs {
  /** Resolved settings (`productionBuilderSchema` output). */
  readonly settings: ProductionBuilderSettings;
  readonly release: BuildkitRelease;
  /** SSH key for `ssh` connections (secret). */
  readonly sshPrivateKey?: pulumi.Input<string>;
  /** The shared cache (DistributedCache's resolved settings); the builder writes a sibling prefix of its own. */
  readonly cache?: Pick<ResolvedCache, "bucket" | "region" | "prefix"> & Partial<Pick<ResolvedCache, "retryMode" | "retryMaxAttempts" | "touchRefresh" | "uploadParallelism">>;
  /** Extra daemon environment (AWS_REGION, proxies…); AWS keys in it are dropped: production hosts get their own identity. */
  readonly cacheCredentials?: BuildkitHostArgs["cacheCredentials"];
  readonly insightsExporterProgram?: pulumi.Input<string>;
}

/**
 * Dedicated, hardened production builders (BuildkitHost with prod defaults and their own CA), the release
 * gate, the source policy, the audit store and the monitoring hand-off.
 */
export class ProductionBuilder extends pulumi.ComponentResource {
  readonly artifacts: Artifact[];
  readonly hosts: BuildkitHost[];
  /** The mTLS gRPC endpoints of the production hosts. */
  readonly endpoints: string[];
  /** The production CA (public); only certificates it signed are accepted. */
  readonly caCertPem: pulumi.Output<string>;
  /** The release gate's client certificate for CI; the key is a secret. */
  readonly gateClientCertPem: pulumi.Output<string>;
  readonly gateClientKeyPem: pulumi.Output<string>;
  readonly gateScript: string;
  readonly gateCommand: string;
  readonly sourcePolicyJson: string;
  readonly auditBucketName: pulumi.Output<string>;
  readonly cachePrefixes: { readonly production: string; readonly sharedReadOnly?: string } | undefined;
  readonly monitoring: ProductionMonitoring;

  constructor(name: string, args: ProductionBuilderArgs, opts?: pulumi.ComponentResourceOptions) {
    const { settings, release } = args;
    const problems = productionBuilderProblems(settings);
    if (problems.length > 0) {
      throw new Error(`ProductionBuilder ${name}: refusing an unhardened production builder:\n${problems.map((p) => `  ${configKeyPath(["productionBuilder", ...p.path])}: ${p.message}`).join("\n")}`);
    }
    const cache = args.cache ? productionCachePrefixes(args.cache, settings) : undefined;
    const rendered = renderProduction(settings, release, cache);
    super(
      PRODUCTION_BUILDER_TYPE,
      name,
      {
        role: "prod",
        hosts: settings.hosts.map((h) => h.name),
        hardening: settings.hosts.map((h) => ({
          host: h.name,
          rootless: h.buildkitd.worker.rootless,
          noProcessSandbox: h.buildkitd.worker.noProcessSandbox,
          insecureEntitlements: h.buildkitd.insecureEntitlements,
          tcpAddress: h.buildkitd.grpc.tcpAddress ?? null,
          tlsMode: h.buildkitd.tls.mode,
          allowedFrontends: h.buildkitd.allowedFrontends,
          history: h.buildkitd.history,
          resources: h.resources,
          labels: h.labels,
        })),
        sourcePolicy: rendered.sourcePolicy,
        sourcePolicySettings: settings.sourcePolicy,
        gate: settings.gate,
        auditBucket: settings.auditBucket,
        cache: cache ?? null,
        monitoring: rendered.monitoring,
      },
      opts,
    );

    const ca = createProductionCa(name, this);
    const firstHost = settings.hosts[0];
    const gateClient = createGateClientCertificate(name, ca, firstHost?.buildkitd.tls.validityHours ?? 8760, this);
    const audit = createAuditStore(name, settings.auditBucket, this);
    // Its own cache identity; without a cache the caller's environment still loses any AWS keys.
    const daemonEnvironment = cache
      ? createCacheAccess(name, settings, cache, audit.writerPolicy, args.cacheCredentials, this).daemonEnvironment
      : args.cacheCredentials === undefined ? undefined : pulumi.output(args.cacheCredentials).apply((env) => withoutAwsKeys(env as Record<string, string>));
    this.hosts = settings.hosts.map(
      (host) =>
        new BuildkitHost(
          `${name}-${host.name}`,
          {
            settings: host,
            release,
            environment: "prod",
            sshPrivateKey: args.sshPrivateKey,
            tls: { caCertPem: ca.certPem, caPrivateKeyPem: ca.privateKeyPem },
            cacheCredentials: daemonEnvironment,
            extraFiles: { [SOURCE_POLICY_FILE]: rendered.sourcePolicyByHost[host.name] ?? "", [GATE_SCRIPT_FILE]: gateScriptForHost(settings, release, cache, host) },
            insightsExporterProgram: args.insightsExporterProgram,
          },
          { parent: this },
        ),
    );

    this.endpoints = endpoints(settings);
    this.caCertPem = ca.certPem;
    this.gateClientCertPem = gateClient.certPem;
    this.gateClientKeyPem = pulumi.secret(gateClient.privateKeyPem);
    this.gateScript = rendered.gateScript;
    this.gateCommand = rendered.gateCommand;
    this.sourcePolicyJson = `${JSON.stringify(rendered.sourcePolicy, null, 2)}\n`;
    this.auditBucketName = audit.bucket.bucket;
    this.cachePrefixes = cache ? { production: cache.productionPrefix, ...(cache.sharedPrefix !== undefined ? { sharedReadOnly: cache.sharedPrefix } : {}) } : undefined;
    this.monitoring = rendered.monitoring;
    this.artifacts = [
      // BuildkitHost files under `hosts/<host>/` move to `prod/<host>/`: production artifacts stay apart.
      ...this.hosts.flatMap((host) => host.artifacts.map((artifact) => ({ path: artifact.path.replace(/^hosts\//, "prod/"), content: artifact.content }))),
      ...settings.hosts.flatMap((host) => [
        { path: `prod/${host.name}/${SOURCE_POLICY_FILE}`, content: rendered.sourcePolicyByHost[host.name] ?? "" },
        { path: `prod/${host.name}/${GATE_SCRIPT_FILE}`, content: gateScriptForHost(settings, release, cache, host) },
      ]),
      { path: `prod/${GATE_SCRIPT_FILE}`, content: rendered.gateScript },
    ];
    this.registerOutputs({
      endpoints: this.endpoints,
      caCertPem: this.caCertPem,
      gateClientCertPem: this.gateClientCertPem,
      gateClientKeyPem: this.gateClientKeyPem,
      gateCommand: this.gateCommand,
      auditBucketName: this.auditBucketName,
    });
  }
}
