import type { BuildkitHostSettings } from "../buildkit-host";
import { parseDuration } from "../../lib/units";
import type { BuilderPoolSettings } from "./args";
import type { HaproxyFiles, HaproxyFrontOptions, HaproxyServer } from "./render-haproxy";

/** Files the front reads on a gateway host or in its container. */
export const FRONT_FILES: HaproxyFiles = {
  frontCertKey: "/etc/haproxy/buildfarm/front.pem",
  poolCa: "/etc/haproxy/buildfarm/pool-ca.pem",
  backendClientCertKey: "/etc/haproxy/buildfarm/front-client.pem",
};

/** One build per CPU the daemon may use (resources.cpuQuota, "200%" = 2), at least one. */
export function defaultSlots(host: BuildkitHostSettings): number {
  const percent = Number(/^(\d+)%$/.exec(host.resources.cpuQuota)?.[1] ?? "100");
  return Math.max(1, Math.floor(percent / 100));
}

/** host:port HAProxy dials: the builder's SSH name and the port of its TCP listener. */
export function builderAddress(host: BuildkitHostSettings): string {
  const tcp = host.buildkitd.grpc.tcpAddress;
  if (tcp === undefined) throw new Error(`buildfarm:hosts: expected buildkitd.grpc.tcpAddress on pool builder "${host.name}" (the front dials it), got none`);
  const port = tcp.split(":").pop();
  const address = host.connection.type === "ssh" ? host.connection.host : "127.0.0.1";
  return `${address.includes(":") ? `[${address}]` : address}:${port}`;
}

export function poolServers(pool: BuilderPoolSettings, hosts: readonly BuildkitHostSettings[]): HaproxyServer[] {
  return pool.builders.map((name) => {
    const host = hosts.find((h) => h.name === name);
    if (host === undefined) throw new Error(`buildfarm:pools: builder "${name}" of pool "${pool.name}" is not a hosts entry`);
    return { name, address: builderAddress(host), slots: pool.buildsPerBuilder ?? defaultSlots(host) };
  });
}

/** Render options for a pool, its servers given (SSH hosts, the dev builder, or a DNS template in Kubernetes). */
export function frontOptions(pool: BuilderPoolSettings, backends: HaproxyFrontOptions["backends"], files: HaproxyFiles = FRONT_FILES): HaproxyFrontOptions {
  return {
    poolName: pool.name,
    listenAddress: pool.front.listenAddress,
    metricsAddress: pool.front.metricsAddress,
    files,
    classes: pool.classes,
    agingSeconds: pool.agingSeconds,
    teams: pool.teams.map((t) => ({ name: t.name, className: t.class, maxConcurrentBuilds: t.maxConcurrentBuilds })),
    backends,
    queueTimeoutSeconds: parseDuration(pool.queueTimeout) ?? 1800,
    idleTimeoutSeconds: parseDuration(pool.idleTimeout) ?? 3600,
    agentPort: pool.agentPort,
    statsSocket: "/run/haproxy/buildfarm-admin.sock",
  };
}
