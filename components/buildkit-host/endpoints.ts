import type { BuildkitHostSettings } from "./args";
import type { HostPaths } from "./paths";
import { TLS_FILES } from "./paths";

export interface HostEndpoints {
  /** gRPC endpoints clients can use: the TCP listener (reachable from other machines) and the Unix socket on the host. */
  readonly grpc: string[];
  /** The endpoint remote clients use: TCP if configured, else the Unix socket. */
  readonly primary: string;
  readonly metricsUrl: string;
}

/** The address clients dial: the host's SSH name instead of a wildcard bind address. */
function clientHost(settings: BuildkitHostSettings): string {
  return settings.connection.type === "ssh" ? settings.connection.host : "127.0.0.1";
}

function withHost(bind: string, host: string): string {
  return bind.replace(/^(tcp:\/\/)?(0\.0\.0\.0|\[::\])(?=:)/, (_m, scheme: string | undefined) => `${scheme ?? ""}${host}`);
}

export function hostEndpoints(settings: BuildkitHostSettings, paths: HostPaths): HostEndpoints {
  const host = clientHost(settings);
  const { grpc, worker } = settings.buildkitd;
  const unix = worker.rootless ? `unix:///run/user/<uid of ${settings.rootlessUser}>/buildkit/buildkitd.sock` : `unix://${paths.unixSocket}`;
  const tcp = grpc.tcpAddress === undefined ? undefined : withHost(grpc.tcpAddress, host);
  return {
    grpc: tcp === undefined ? [unix] : [tcp, unix],
    primary: tcp ?? unix,
    metricsUrl: `http://${withHost(grpc.debugAddress, host)}/metrics`,
  };
}

/** Ready-to-paste client command lines; the certificate files are the ones from the stack outputs. */
export function buildkitClientCommands(settings: BuildkitHostSettings, endpoints: HostEndpoints): { buildctl: string; buildxCreate: string } {
  const tls = settings.buildkitd.grpc.tcpAddress !== undefined && settings.buildkitd.tls.mode !== "none";
  const serverName = settings.buildkitd.tls.serverNames[0] ?? clientHost(settings);
  const buildctl = tls
    ? `buildctl --addr ${endpoints.primary} --tlsservername ${serverName} --tlscacert ${TLS_FILES.ca} --tlscert ${TLS_FILES.clientCert} --tlskey ${TLS_FILES.clientKey} debug workers`
    : `buildctl --addr ${endpoints.primary} debug workers`;
  const driverOpts = tls ? ` --driver-opt servername=${serverName},cacert=$PWD/${TLS_FILES.ca},cert=$PWD/${TLS_FILES.clientCert},key=$PWD/${TLS_FILES.clientKey}` : "";
  const buildxCreate = `docker buildx create --name ${settings.name} --driver remote${driverOpts} ${endpoints.primary}`;
  return { buildctl, buildxCreate };
}
