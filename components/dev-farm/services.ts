import type { DockerServiceInput } from "./args";
import { DEV_IMAGES } from "./images";

/**
 * The dev farm's own containers (MonitoringStack runs Prometheus, Alertmanager, Grafana and
 * node_exporter). Names here are the network aliases other containers use.
 */
export const DEV_SERVICES = { buildkitd: "buildkitd", minio: "minio", minioSetup: "minio-setup", exporter: "insights-exporter" } as const;

/** Ports inside the private network; only those in `ports` are published (on the bind address). */
export const DEV_PORTS = { buildkitdGrpc: 1234, buildkitdMetrics: 6060, minioApi: 9000, minioConsole: 9001, exporter: 9469 } as const;

/** Paths inside the rootless buildkit image (uid 1000, $HOME=/home/user). */
export const ROOTLESS_PATHS = {
  configDir: "/home/user/.config/buildkit",
  tlsDir: "/home/user/.config/buildkit/tls",
  rootDir: "/home/user/.local/share/buildkit",
  unixSocket: "unix:///run/user/1000/buildkit/buildkitd.sock",
} as const;

export const EXPORTER_PATHS = { program: "/opt/buildfarm/exporter.js", tlsDir: "/opt/buildfarm/tls" } as const;

/**
 * Rootless buildkitd as upstream's docs/rootless.md runs it in Docker: seccomp and AppArmor unconfined so
 * rootlesskit can create user namespaces, and systempaths=unconfined (unmasked /proc) so BuildKit keeps its
 * process sandbox (no --oci-worker-no-process-sandbox). Not privileged; no-new-privileges would break newuidmap.
 */
export function buildkitdService(options: { publishPort: number; memory: string; cpus: number }): DockerServiceInput {
  const tls = ROOTLESS_PATHS.tlsDir;
  return {
    service: DEV_SERVICES.buildkitd,
    image: DEV_IMAGES.buildkitd,
    command: [
      "--config", `${ROOTLESS_PATHS.configDir}/buildkitd.toml`,
      // Flags, not only the TOML, because they override any default path baked into the image.
      "--addr", ROOTLESS_PATHS.unixSocket,
      "--addr", `tcp://0.0.0.0:${DEV_PORTS.buildkitdGrpc}`,
      "--tlscacert", `${tls}/ca.pem`, "--tlscert", `${tls}/server.pem`, "--tlskey", `${tls}/server-key.pem`,
    ],
    memory: options.memory,
    cpus: options.cpus,
    ports: [{ internal: DEV_PORTS.buildkitdGrpc, external: options.publishPort }],
    volumes: [{ name: "state", containerPath: ROOTLESS_PATHS.rootDir }],
    healthcheck: { test: ["buildctl", "--addr", ROOTLESS_PATHS.unixSocket, "debug", "workers"], startPeriod: "30s" },
    securityOpts: ["seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"],
    nofile: 1048576,
  };
}

export function minioService(options: { apiPort: number; consolePort: number }): DockerServiceInput {
  return {
    service: DEV_SERVICES.minio,
    image: DEV_IMAGES.minio,
    command: ["server", "/data", "--address", `:${DEV_PORTS.minioApi}`, "--console-address", `:${DEV_PORTS.minioConsole}`],
    env: { MINIO_BROWSER_REDIRECT: "false" },
    memory: "1GiB",
    cpus: 1,
    ports: [
      { internal: DEV_PORTS.minioApi, external: options.apiPort },
      { internal: DEV_PORTS.minioConsole, external: options.consolePort },
    ],
    volumes: [{ name: "data", containerPath: "/data" }],
    // `mc` ships in the server image; the "local" alias points at :9000.
    healthcheck: { test: ["mc", "ready", "local"], interval: "15s" },
  };
}

/** One-shot job creating the bucket, lifecycle and the builders' user; re-runs when its scripts change. */
export function minioSetupJob(scriptPaths: readonly string[]): DockerServiceInput {
  return {
    service: DEV_SERVICES.minioSetup,
    image: DEV_IMAGES.minioClient,
    entrypoint: ["/bin/sh", "-c", scriptPaths.map((script) => `sh ${script}`).join(" && ")],
    memory: "128MiB",
    cpus: 0.5,
    oneShot: true,
  };
}

/** The build-insights exporter beside buildkitd, reading the control API over mTLS. */
export function exporterService(options: { image: string; gcMaxUsedBytes?: number }): DockerServiceInput {
  const tls = EXPORTER_PATHS.tlsDir;
  return {
    service: DEV_SERVICES.exporter,
    image: options.image,
    user: "node",
    command: [
      "--listen", `0.0.0.0:${DEV_PORTS.exporter}`,
      "--buildctl", "/usr/local/bin/buildctl",
      "--buildctl-addr", `tcp://${DEV_SERVICES.buildkitd}:${DEV_PORTS.buildkitdGrpc}`,
      "--tlscacert", `${tls}/ca.pem`, "--tlscert", `${tls}/client.pem`, "--tlskey", `${tls}/client-key.pem`,
      "--tlsservername", DEV_SERVICES.buildkitd,
      "--certificate", `buildkitd-client=${tls}/client.pem`,
      ...(options.gcMaxUsedBytes !== undefined ? ["--gc-max-used-bytes", String(options.gcMaxUsedBytes)] : []),
    ],
    memory: "128MiB",
    cpus: 0.25,
    healthcheck: { test: ["node", "-e", `fetch("http://127.0.0.1:${DEV_PORTS.exporter}/metrics").then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`] },
  };
}
