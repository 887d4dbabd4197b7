import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { buildkitHostSchema, renderBuildkitdToml, type BuildkitHostSettings } from "../components/buildkit-host";
import {
  BuilderTls, buildkitdService, DEV_PORTS, DEV_SERVICES, DockerService, EXPORTER_PATHS, exporterImageName, exporterService,
  MINIO_SETUP_DIR, minioService, minioSetupJob, renderExporterContextCommand, renderExporterDockerfile, renderMinioUserScript, ROOTLESS_PATHS,
  type DockerPlacement,
} from "../components/dev-farm";
import { DistributedCache, distributedCacheSchema, MC_ALIAS, policyJson, type DistributedCacheInput } from "../components/distributed-cache";
import type { StackConfig } from "../config/schema";
import type { Artifact } from "../lib/artifacts";
import { parseSize } from "../lib/units";
import { builderOutputs, containerBuilderEntry } from "./builder-output";
import { devObservability } from "./dev-observability";
import { exporterSourceInputs } from "./exporter-sources";
import { cacheOutput } from "./cache-output";
import { OUTPUTS_VERSION } from "./outputs";
import type { StackResult } from "./types";

/** Published host ports of the dev farm (all on `docker.bindAddress`). */
export const DEV_PUBLISHED_PORTS = { buildkitd: 1234, minioApi: 9000, minioConsole: 9001 } as const;

const PREFIX = "buildfarm";

/** The cache when Pulumi.dev.yaml has no `buildfarm:cache`: the stack's own MinIO on the private network. */
export const DEV_CACHE_DEFAULTS: DistributedCacheInput = {
  backend: "s3-compatible",
  bucket: "buildkit-cache",
  endpoint: "http://minio:9000",
  allowInsecureEndpoint: true,
  retentionDays: 14,
  touchRefresh: "24h",
};
const EXPORTER_CONTEXT = "bin/dev-exporter-image";

/** The dev daemon described as a builder host: rootless, mTLS TCP listener, metrics on the private network. */
export function devBuilderSettings(clientHost: string): BuildkitHostSettings {
  return buildkitHostSchema.parse({
    name: "buildfarm-dev",
    connection: { type: "local" },
    role: "shared",
    buildkitd: {
      rootDir: ROOTLESS_PATHS.rootDir,
      worker: { rootless: true, maxParallelism: 4 },
      gc: { reservedSpace: "2GB", maxUsedSpace: "20GB", minFreeSpace: "10%" },
      grpc: { tcpAddress: `tcp://0.0.0.0:${DEV_PORTS.buildkitdGrpc}`, debugAddress: `0.0.0.0:${DEV_PORTS.buildkitdMetrics}` },
      // The exporter dials "buildkitd" on the network; clients dial the published host.
      tls: { mode: "generate", serverNames: [...new Set([DEV_SERVICES.buildkitd, clientHost])] },
    },
    resources: { cpuQuota: "200%", memoryHigh: "3GiB", memoryMax: "4GiB" },
    labels: { stack: "dev", role: "shared" },
  });
}

/** Host clients use for ports published on `bindAddress` of the Docker host. */
export function publishedHost(dockerHost: string, bindAddress: string): string {
  const ssh = /^ssh:\/\/(?:[^@/]+@)?([^:/]+)/.exec(dockerHost);
  if (bindAddress === "0.0.0.0" || bindAddress === "::") return ssh?.[1] ?? "127.0.0.1";
  return bindAddress;
}

/** The whole farm on one Docker host: `pulumi up -s dev` needs Docker and nothing else. */
export function buildDevStack(config: StackConfig): StackResult {
  const cacheSettings = config.cache ?? distributedCacheSchema.parse(DEV_CACHE_DEFAULTS);
  // config/schema.ts rejects any other backend in dev; this narrows the type.
  if (cacheSettings.backend !== "s3-compatible") throw new Error(`buildfarm:cache.backend: expected "s3-compatible" in dev, got "${cacheSettings.backend}"`);
  const provider = new docker.Provider("dev-docker", { host: config.docker.host });
  const network = new docker.Network("dev-network", {
    name: `${PREFIX}-dev`,
    driver: "bridge",
    attachable: false,
    labels: [{ label: "org.buildfarm.stack", value: "dev" }],
  }, { provider });
  const placement: DockerPlacement = { namePrefix: PREFIX, bindAddress: config.docker.bindAddress };
  const serviceArgs = { placement, provider, networkName: network.name };
  const clientHost = publishedHost(config.docker.host, config.docker.bindAddress);
  const artifacts: Artifact[] = [];

  // Cache: MinIO with generated keys (root for the setup job, a bucket-scoped user for buildkitd).
  const minioRootPassword = new random.RandomPassword("dev-minio-root-password", { length: 32, special: false });
  const cacheAccessKeyId = new random.RandomString("dev-cache-access-key-id", { length: 20, special: false, upper: true, lower: false });
  const cacheSecretKey = new random.RandomPassword("dev-cache-secret-access-key", { length: 40, special: false });
  const cacheCredentials = { accessKeyId: pulumi.secret(cacheAccessKeyId.result), secretAccessKey: cacheSecretKey.result };
  const cache = new DistributedCache("dev-cache", { settings: cacheSettings, environment: "dev", credentials: cacheCredentials });
  artifacts.push(...cache.artifacts);

  const minio = new DockerService("dev-minio", {
    ...serviceArgs,
    settings: minioService({ apiPort: DEV_PUBLISHED_PORTS.minioApi, consolePort: DEV_PUBLISHED_PORTS.minioConsole }),
    secretEnv: { MINIO_ROOT_USER: "buildfarm-admin", MINIO_ROOT_PASSWORD: minioRootPassword.result },
  });
  const bucketScript = cache.artifacts.find((a) => a.path === "cache/minio/setup-bucket.sh");
  if (bucketScript === undefined) throw new Error("DistributedCache rendered no cache/minio/setup-bucket.sh for the s3-compatible backend");
  const userScript = renderMinioUserScript({ policyName: "buildfarm-cache-writer", mcAlias: MC_ALIAS });
  const userPolicy = policyJson(cache.writerPolicyDocument);
  artifacts.push({ path: "dev/minio/setup-user.sh", content: userScript }, { path: "dev/minio/cache-user-policy.json", content: userPolicy });
  const minioSetup = new DockerService("dev-minio-setup", {
    ...serviceArgs,
    settings: minioSetupJob([`${MINIO_SETUP_DIR}/setup-bucket.sh`, `${MINIO_SETUP_DIR}/setup-user.sh`]),
    secretEnv: {
      [`MC_HOST_${MC_ALIAS}`]: pulumi.interpolate`http://buildfarm-admin:${minioRootPassword.result}@${DEV_SERVICES.minio}:${DEV_PORTS.minioApi}`,
      CACHE_ACCESS_KEY_ID: cacheCredentials.accessKeyId,
      CACHE_SECRET_ACCESS_KEY: cacheCredentials.secretAccessKey,
    },
    files: [
      { path: `${MINIO_SETUP_DIR}/setup-bucket.sh`, content: bucketScript.content },
      { path: `${MINIO_SETUP_DIR}/setup-user.sh`, content: userScript },
      { path: `${MINIO_SETUP_DIR}/cache-user-policy.json`, content: userPolicy },
    ],
  }, { dependsOn: [minio] });

  // buildkitd: rootless, its buildkitd.toml from BuildkitHost's renderer, mTLS on the published port.
  const builderSettings = devBuilderSettings(clientHost);
  const settings = builderSettings.buildkitd;
  const toml = renderBuildkitdToml(settings, { unixSocket: ROOTLESS_PATHS.unixSocket, tlsDir: ROOTLESS_PATHS.tlsDir, labels: builderSettings.labels });
  artifacts.push({ path: "dev/buildkitd/buildkitd.toml", content: toml });
  const tls = new BuilderTls("dev-builder-tls", { serverNames: settings.tls.serverNames, validityHours: settings.tls.validityHours }).material;
  const asUser = { owner: "1000" };
  const credentialsFile = cache.builderCredentials.credentialsFile;
  const buildkitd = new DockerService("dev-buildkitd", {
    ...serviceArgs,
    // The daemon, not the client, reads the S3 keys: DistributedCache's credentials file and environment.
    settings: { ...buildkitdService({ publishPort: DEV_PUBLISHED_PORTS.buildkitd, memory: builderSettings.resources.memoryMax, cpus: Number(builderSettings.resources.cpuQuota.replace("%", "")) / 100 }), env: cache.builderCredentials.environment },
    files: [
      { path: `${ROOTLESS_PATHS.configDir}/buildkitd.toml`, content: toml, ...asUser },
      { path: `${ROOTLESS_PATHS.tlsDir}/ca.pem`, content: tls.caCertPem, ...asUser },
      { path: `${ROOTLESS_PATHS.tlsDir}/server.pem`, content: tls.serverCertPem, ...asUser },
      { path: `${ROOTLESS_PATHS.tlsDir}/server-key.pem`, content: tls.serverKeyPem, ...asUser, mode: "0600" },
      ...(credentialsFile ? [{ path: credentialsFile.path, content: credentialsFile.content, ...asUser, mode: credentialsFile.mode }] : []),
    ],
  }, { dependsOn: [minio, minioSetup] });

  // Build-insights exporter: built locally from the repo's exporter sources, pinned by their hash.
  const dockerfile = renderExporterDockerfile();
  artifacts.push({ path: "dev/exporter/Dockerfile", content: dockerfile });
  const exporterImage = exporterImageName([...exporterSourceInputs(), dockerfile]);
  const exporterContext = new command.local.Command("dev-exporter-context", {
    create: renderExporterContextCommand(EXPORTER_CONTEXT),
    environment: { DOCKERFILE: dockerfile },
    triggers: [exporterImage],
  });
  const exporter = new DockerService("dev-exporter", {
    ...serviceArgs,
    settings: exporterService({ image: exporterImage, gcMaxUsedBytes: parseSize(settings.gc.maxUsedSpace) }),
    build: { context: EXPORTER_CONTEXT, dockerfile: "Dockerfile", dependsOn: [exporterContext] },
    files: [
      { path: `${EXPORTER_PATHS.tlsDir}/ca.pem`, content: tls.caCertPem },
      { path: `${EXPORTER_PATHS.tlsDir}/client.pem`, content: tls.clientCertPem },
      // uid 1000 is `node` in the Node image.
      { path: `${EXPORTER_PATHS.tlsDir}/client-key.pem`, content: tls.clientKeyPem, owner: "1000", mode: "0600" },
    ],
  }, { dependsOn: [buildkitd] });

  const endpoint = `tcp://${clientHost}:${DEV_PUBLISHED_PORTS.buildkitd}`;
  const builder = containerBuilderEntry(builderSettings, { endpoint, metricsUrl: `http://${DEV_SERVICES.buildkitd}:${DEV_PORTS.buildkitdMetrics}/metrics` }, tls);
  const observability = devObservability(config, { provider, network, placement, clientHost, builder: {
    name: builderSettings.name,
    endpoint,
    serverName: DEV_SERVICES.buildkitd,
    tls,
    metricsAddress: `${DEV_SERVICES.buildkitd}:${DEV_PORTS.buildkitdMetrics}`,
    exporterAddress: `${DEV_SERVICES.exporter}:${DEV_PORTS.exporter}`,
  }, dependsOn: [buildkitd, exporter, minio] });
  artifacts.push(...observability.artifacts);

  return {
    outputs: {
      outputsVersion: OUTPUTS_VERSION,
      environment: "dev",
      ...builderOutputs([builder]),
      cache: cacheOutput(cache),
      cacheCredentials: pulumi.secret(pulumi.all([cacheCredentials.accessKeyId, cacheCredentials.secretAccessKey]).apply(([accessKeyId, secretAccessKey]) => ({ accessKeyId, secretAccessKey }))),
      ...observability.outputs,
    },
    artifacts,
  };
}
