import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BuildkitHost } from "../components/buildkit-host";
import type { HostAccess } from "../components/common/host-command";
import { DistributedCache } from "../components/distributed-cache";
import { KubernetesPool } from "../components/kubernetes-pool";
import { PluginSet } from "../components/plugin-set";
import { ProductionBuilder } from "../components/production-builder";
import type { StackConfig } from "../config/schema";
import type { Artifact } from "../lib/artifacts";
import { builderOutputs, hostBuilderEntry } from "./builder-output";
import { cacheOutput } from "./cache-output";
import { exporterProgram } from "./exporter-program";
import { OUTPUTS_VERSION, PROD_GATE_KEY_NAME, type ProdGateOutput } from "./outputs";
import { pluginArtifacts, pluginInventoryEntry } from "./plugin-inventory";
import { prodObservability } from "./prod-observability";
import type { StackResult } from "./types";

/**
 * The daemon-side S3 environment for BuildkitHost's cache.env: region, plus the writer key pair when
 * the cache created IAM users for builders outside AWS (otherwise the hosts' instance role is used).
 */
function builderCacheEnvironment(cache: DistributedCache): pulumi.Input<Record<string, pulumi.Input<string>>> {
  const environment: Record<string, pulumi.Input<string>> = { AWS_REGION: cache.region };
  const key = cache.accessKeys?.writer;
  if (key === undefined) return environment;
  return pulumi.secret(pulumi.all([key.accessKeyId, key.secretAccessKey]).apply(([id, secret]) => ({ ...environment, AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret })));
}

/** Production: SSH builder pools, the production builder, AWS cache and audit store, monitoring. */
export function buildProdStack(config: StackConfig): StackResult {
  const cacheSettings = config.cache;
  const production = config.productionBuilder;
  // The config schema already enforces both in prod; these narrow the types.
  if (cacheSettings?.backend !== "aws") throw new Error(`buildfarm:cache.backend: expected "aws" in prod, got ${JSON.stringify(cacheSettings?.backend ?? null)}`);
  if (production === undefined) throw new Error("buildfarm:productionBuilder: expected a productionBuilder section in prod, got nothing");

  const awsProvider = new aws.Provider("prod-aws", { region: cacheSettings.region });
  const providers = { providers: { aws: awsProvider } };
  const sshPrivateKey = config.sshPrivateKey === undefined ? undefined : pulumi.secret(config.sshPrivateKey);
  const artifacts: Artifact[] = [];

  const cache = new DistributedCache("prod-cache", { settings: cacheSettings, environment: "prod" }, providers);
  artifacts.push(...cache.artifacts);
  const cacheCredentials = builderCacheEnvironment(cache);
  // The build-insights exporter runs beside every daemon (BuildkitHost's exporter unit); Prometheus scrapes it.
  const insightsExporterProgram = exporterProgram();

  // The shared pool: one BuildkitHost per configured host (artifacts under hosts/<host>/).
  const pool = config.hosts.map((settings) => {
    const host = new BuildkitHost(`host-${settings.name}`, { settings, release: config.buildkit, environment: "prod", sshPrivateKey, cacheCredentials, insightsExporterProgram });
    artifacts.push(...host.artifacts);
    return { host, settings };
  });

  // The isolated production builder (artifacts under prod/), with its own CA and audit store.
  // No shared keys here: the production hosts use their own role, which may write only the production prefix
  // and read the shared one (a shared writer key would let them write the shared cache and shadow that role).
  const builder = new ProductionBuilder("prod-builder", {
    settings: production,
    release: config.buildkit,
    sshPrivateKey,
    cache: cache.resolved,
    cacheCredentials: { AWS_REGION: cache.region },
    insightsExporterProgram,
  }, providers);
  artifacts.push(...builder.artifacts);

  // Builder pools on Kubernetes (artifacts under kubernetes/<pool>/: the rendered manifests).
  for (const settings of config.kubernetesPools) {
    const kubernetesPool = new KubernetesPool(`k8s-pool-${settings.name}`, { settings });
    artifacts.push(...kubernetesPool.artifacts);
  }

  // Docker CLI plugins on every shared builder host (artifacts under plugins/<host>/); audit only when disabled.
  const pluginInventory = pool.map(({ host, settings }) => {
    const access: HostAccess = { connection: settings.connection, sshPrivateKey };
    const plugins = new PluginSet(`plugins-${settings.name}`, { hostName: settings.name, access, settings: { ...config.plugins, configureBuildx: false }, dependsOn: [host] });
    artifacts.push(...pluginArtifacts(settings.name, plugins));
    return pluginInventoryEntry(settings.name, plugins, config.plugins);
  });

  const observability = prodObservability(config, { pool: pool.map((p) => p.settings), production: builder.monitoring });
  artifacts.push(...observability.artifacts);

  const entries = [
    ...pool.map(({ host, settings }) => hostBuilderEntry(host, settings)),
    ...builder.hosts.map((host, i) => hostBuilderEntry(host, production.hosts[i]!)),
  ];
  const prodGate: pulumi.Output<ProdGateOutput> = pulumi.all([builder.caCertPem, builder.gateClientCertPem, builder.auditBucketName]).apply(([caCertPem, clientCertPem, auditBucket]) => ({
    command: builder.gateCommand,
    caCertPem,
    clientCertPem,
    builders: builder.endpoints,
    auditBucket,
  }));

  return {
    outputs: {
      outputsVersion: OUTPUTS_VERSION,
      environment: "prod",
      ...builderOutputs(entries, { [PROD_GATE_KEY_NAME]: builder.gateClientKeyPem }),
      cache: cacheOutput(cache),
      // Builders use their instance role or the cache's IAM users; clients never hold cache keys.
      cacheCredentials: pulumi.secret(null),
      ...observability.outputs,
      pluginInventory: pulumi.all(pluginInventory),
      prodGate,
    },
    artifacts,
  };
}
