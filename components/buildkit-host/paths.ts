/** Where things live on a build host. Every script takes a ROOT prefix in front of these. */
export interface HostPaths {
  /** buildkitd.toml, TLS material, cache credentials. */
  readonly configDir: string;
  /** Server/client certificates and keys (keys 0600). */
  readonly tlsDir: string;
  /** Rootful Unix socket, created by buildkit.socket. */
  readonly unixSocket: string;
  /** `releases/<version>-<hash>` (one complete release each) and the `current` link switched between them. */
  readonly installDir: string;
  /** Where the buildkitd / buildctl links go. */
  readonly binDir: string;
  /** System units. */
  readonly unitDir: string;
  /** User units (rootless mode). */
  readonly userUnitDir: string;
  /** Where Pulumi uploads install.sh (the apply step carrying the release's files). */
  readonly stagingDir: string;
  /** The apply step's journal and lock. */
  readonly stateDir: string;
  /** The build-insights exporter program. */
  readonly exporterScript: string;
  /** rootlesskit, for rootless daemons. */
  readonly rootlesskit: string;
}

export const DEFAULT_HOST_PATHS: HostPaths = {
  configDir: "/etc/buildkit",
  tlsDir: "/etc/buildkit/tls",
  unixSocket: "/run/buildkit/buildkitd.sock",
  installDir: "/opt/buildkit",
  binDir: "/usr/local/bin",
  unitDir: "/etc/systemd/system",
  userUnitDir: "/etc/systemd/user",
  stagingDir: "/var/lib/buildfarm/buildkit/staging",
  stateDir: "/var/lib/buildfarm/buildkit/state",
  exporterScript: "/opt/buildfarm/insights-exporter/exporter.js",
  rootlesskit: "/usr/bin/rootlesskit",
};

/** File names inside tlsDir. */
export const TLS_FILES = {
  ca: "ca.pem",
  serverCert: "server.pem",
  serverKey: "server-key.pem",
  clientCert: "client.pem",
  clientKey: "client-key.pem",
} as const;

/** Unit file names. The limits drop-in is installed into `buildkit.service.d/`. */
export const UNIT_FILES = {
  service: "buildkit.service",
  socket: "buildkit.socket",
  limits: "50-buildkit-limits.conf",
  exporter: "buildkit-insights-exporter.service",
} as const;
