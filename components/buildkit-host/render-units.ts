import { parseSize, systemdBytes } from "../../lib/units";
import type { BuildkitHostSettings } from "./args";
import { DEFAULT_HOST_PATHS, TLS_FILES, UNIT_FILES, type HostPaths } from "./paths";

export interface UnitOptions {
  /** Installed BuildKit version, shown in the unit description. */
  readonly version: string;
  readonly paths?: HostPaths;
  /** Adds `EnvironmentFile=` for the daemon's S3 credentials. @default false */
  readonly cacheCredentials?: boolean;
  /** Extra buildkitd flags appended to ExecStart. @default [] */
  readonly extraDaemonFlags?: readonly string[];
}

/** Exporter limits: it only runs buildctl and serves a small /metrics page. */
export const EXPORTER_LIMITS = { cpuQuota: "50%", memoryHigh: "192M", memoryMax: "256M", tasksMax: 64, limitNofile: 4096 } as const;

/** systemd treats "any" specially; "localhost" and CIDRs pass through. */
function ipAllowList(networks: readonly string[]): string {
  return [...new Set(networks)].join(" ");
}

function memory(size: string): string {
  const bytes = parseSize(size);
  if (bytes === undefined) throw new Error(`not a size: ${size}`);
  return systemdBytes(bytes);
}

function ini(sections: ReadonlyArray<[string, ReadonlyArray<[string, string | number | undefined]>]>, header = true): string {
  const lines = header ? ["# Managed by the buildfarm Pulumi program (BuildkitHost). Local edits are overwritten."] : [];
  for (const [name, entries] of sections) {
    if (lines.length > 0) lines.push("");
    lines.push(`[${name}]`);
    for (const [key, value] of entries) if (value !== undefined) lines.push(`${key}=${value}`);
  }
  return `${lines.join("\n")}\n`;
}

/** buildkitd's command line: socket activation (rootful) or its own socket (rootless), plus the TCP listener. */
function daemonCommand(host: BuildkitHostSettings, paths: HostPaths, options: UnitOptions): string {
  const { grpc, worker } = host.buildkitd;
  const addresses = worker.rootless ? ["unix://%t/buildkit/buildkitd.sock"] : ["fd://"];
  if (grpc.tcpAddress !== undefined) addresses.push(grpc.tcpAddress);
  const daemon = [`${paths.binDir}/buildkitd`, "--config", `${paths.configDir}/buildkitd.toml`, ...addresses.flatMap((a) => ["--addr", a]), ...(options.extraDaemonFlags ?? [])];
  if (!worker.rootless) return daemon.join(" ");
  // rootlesskit runs the daemon in its own network namespace; publish the TCP and metrics ports out of it.
  const ports = [grpc.tcpAddress?.replace(/^tcp:\/\//, ""), grpc.debugAddress].filter((p): p is string => p !== undefined);
  const publish = ports.flatMap((hostPort) => {
    const port = hostPort.slice(hostPort.lastIndexOf(":") + 1);
    return ["-p", `${hostPort}:${port}/tcp`];
  });
  return [paths.rootlesskit, "--net=slirp4netns", "--copy-up=/etc", "--disable-host-loopback", "--port-driver=builtin", ...publish, ...daemon].join(" ");
}

function limitsDropIn(host: BuildkitHostSettings): string {
  const r = host.resources;
  const io: Array<[string, string]> = [];
  for (const device of r.ioBandwidth) {
    if (device.readBandwidth !== undefined) io.push(["IOReadBandwidthMax", `${device.device} ${memory(device.readBandwidth)}`]);
    if (device.writeBandwidth !== undefined) io.push(["IOWriteBandwidthMax", `${device.device} ${memory(device.writeBandwidth)}`]);
  }
  return ini([
    [
      "Service",
      [
        ["CPUQuota", r.cpuQuota],
        ["CPUWeight", r.cpuWeight],
        ["MemoryHigh", memory(r.memoryHigh)],
        ["MemoryMax", memory(r.memoryMax)],
        ["IOWeight", r.ioWeight],
        ...io,
        ["TasksMax", r.tasksMax],
        ["LimitNOFILE", r.limitNofile],
        // IP access lists filter both directions: clients (allowedNetworks) and what the daemon reaches (egressNetworks).
        ["IPAddressAllow", ipAllowList(["localhost", ...host.allowedNetworks, ...host.egressNetworks])],
        ["IPAddressDeny", "any"],
      ],
    ],
  ]);
}

function serviceUnit(host: BuildkitHostSettings, paths: HostPaths, options: UnitOptions): string {
  const rootless = host.buildkitd.worker.rootless;
  return ini([
    [
      "Unit",
      [
        ["Description", `BuildKit daemon ${options.version}${rootless ? " (rootless)" : ""}`],
        ["Documentation", "https://github.com/moby/buildkit"],
        ["Requires", rootless ? undefined : UNIT_FILES.socket],
        ["After", rootless ? "network-online.target" : `${UNIT_FILES.socket} network-online.target`],
        ["Wants", "network-online.target"],
        // Backoff: 5 s between attempts, at most 5 starts in 10 minutes, then systemd gives up and alerts fire.
        ["StartLimitIntervalSec", "600"],
        ["StartLimitBurst", 5],
      ],
    ],
    [
      "Service",
      [
        ["Type", "notify"],
        ["NotifyAccess", rootless ? "all" : undefined],
        ["ExecStart", daemonCommand(host, paths, options)],
        ["EnvironmentFile", options.cacheCredentials ? `-${paths.configDir}/cache.env` : undefined],
        ["Restart", "on-failure"],
        ["RestartSec", "5s"],
        ["TimeoutStopSec", "120s"],
        ["Delegate", "yes"],
        ["KillMode", "mixed"],
        ["StandardOutput", "journal"],
        ["StandardError", "journal"],
        ["SyslogIdentifier", "buildkitd"],
      ],
    ],
    ["Install", [["WantedBy", rootless ? "default.target" : "multi-user.target"]]],
  ]);
}

function socketUnit(host: BuildkitHostSettings): string {
  return ini([
    ["Unit", [["Description", "BuildKit daemon socket"], ["Documentation", "https://github.com/moby/buildkit"]]],
    [
      "Socket",
      [
        ["ListenStream", "%t/buildkit/buildkitd.sock"],
        ["SocketMode", "0660"],
        ["SocketUser", "root"],
        ["SocketGroup", host.buildkitd.grpc.socketGroup],
        ["DirectoryMode", "0755"],
      ],
    ],
    ["Install", [["WantedBy", "sockets.target"]]],
  ]);
}

/** With mTLS on, the exporter reports the certificates' expiry, which the certificate alerts read. */
function certificateFlags(host: BuildkitHostSettings, paths: HostPaths): string {
  if (host.buildkitd.grpc.tcpAddress === undefined || host.buildkitd.tls.mode === "none") return "";
  return ` --certificate buildkitd-ca=${paths.tlsDir}/${TLS_FILES.ca} --certificate buildkitd-server=${paths.tlsDir}/${TLS_FILES.serverCert}`;
}

function exporterUnit(host: BuildkitHostSettings, paths: HostPaths): string {
  const rootless = host.buildkitd.worker.rootless;
  // Rootless: the socket is under /run/user/<uid>; install.sh writes the resolved address to exporter.env.
  const buildctlAddr = rootless ? "${BUILDCTL_ADDR}" : `unix://${paths.unixSocket}`;
  return ini([
    [
      "Unit",
      [
        ["Description", "BuildKit build-insights exporter (buildctl du / debug histories as Prometheus metrics)"],
        ["After", UNIT_FILES.service],
        ["Wants", rootless ? undefined : UNIT_FILES.service],
        ["StartLimitIntervalSec", "600"],
        ["StartLimitBurst", 5],
      ],
    ],
    [
      "Service",
      [
        ["Type", "simple"],
        ["EnvironmentFile", rootless ? `${paths.configDir}/exporter.env` : undefined],
        ["Environment", `PATH=${paths.binDir}:/usr/bin:/bin`],
        ["ExecStart", `/usr/bin/node ${paths.exporterScript} --listen ${host.insightsExporter.listenAddress} --buildctl-addr ${buildctlAddr}${certificateFlags(host, paths)}`],
        ["User", rootless ? host.rootlessUser : undefined],
        ["DynamicUser", rootless ? undefined : "yes"],
        ["SupplementaryGroups", rootless ? undefined : host.buildkitd.grpc.socketGroup],
        ["NoNewPrivileges", "yes"],
        ["ProtectSystem", "strict"],
        ["ProtectHome", "yes"],
        ["PrivateTmp", "yes"],
        ["Restart", "on-failure"],
        ["RestartSec", "10s"],
        ["CPUQuota", EXPORTER_LIMITS.cpuQuota],
        ["CPUWeight", 20],
        ["MemoryHigh", EXPORTER_LIMITS.memoryHigh],
        ["MemoryMax", EXPORTER_LIMITS.memoryMax],
        ["IOWeight", 20],
        ["TasksMax", EXPORTER_LIMITS.tasksMax],
        ["LimitNOFILE", EXPORTER_LIMITS.limitNofile],
        ["IPAddressAllow", ipAllowList(["localhost", ...host.allowedNetworks])],
        ["IPAddressDeny", "any"],
        ["StandardOutput", "journal"],
        ["StandardError", "journal"],
        ["SyslogIdentifier", "buildkit-insights-exporter"],
      ],
    ],
    ["Install", [["WantedBy", "multi-user.target"]]],
  ]);
}

/**
 * Every unit file for a host, keyed by file name: `buildkit.service`, `buildkit.socket` (rootful only),
 * the limits drop-in `50-buildkit-limits.conf` (installed into `buildkit.service.d/`) and the exporter unit.
 * Rootless hosts get `buildkit.service` as a user unit (installed under userUnitDir).
 */
export function renderBuildkitUnits(host: BuildkitHostSettings, options: UnitOptions): Record<string, string> {
  const paths = options.paths ?? DEFAULT_HOST_PATHS;
  const units: Record<string, string> = {
    [UNIT_FILES.limits]: limitsDropIn(host),
    [UNIT_FILES.service]: serviceUnit(host, paths, options),
    [UNIT_FILES.exporter]: exporterUnit(host, paths),
  };
  if (!host.buildkitd.worker.rootless) units[UNIT_FILES.socket] = socketUnit(host);
  return Object.fromEntries(Object.keys(units).sort().map((k) => [k, units[k] as string]));
}
