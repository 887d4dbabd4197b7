import { parseSize } from "../../lib/units";
import type { DockerServiceSettings } from "./args";

/** Where the containers run and how they are reached. */
export interface DockerPlacement {
  /** Prefix of container and volume names, e.g. "buildfarm". */
  readonly namePrefix: string;
  /** Address published ports bind to (127.0.0.1 unless configured). */
  readonly bindAddress: string;
}

/** The plain (non-secret, non-Output) part of a `docker.Container`'s inputs for one service. */
export interface RenderedContainer {
  readonly name: string;
  readonly image: string;
  readonly hostname: string;
  readonly entrypoints?: string[];
  readonly command: string[];
  readonly user?: string;
  readonly envs: string[];
  /** Megabytes, as the docker provider takes it. */
  readonly memory: number;
  readonly memorySwap: number;
  readonly cpus: string;
  readonly ports: Array<{ internal: number; external: number; ip: string; protocol: "tcp" }>;
  readonly volumes: Array<{ volumeName: string; containerPath: string; readOnly: boolean }>;
  readonly healthcheck?: { tests: string[]; interval: string; timeout: string; retries: number; startPeriod: string };
  readonly restart: "unless-stopped" | "no";
  readonly mustRun: boolean;
  readonly attach: boolean;
  readonly logs: boolean;
  /** Wait until the health check passes, so dependents start on a ready service. */
  readonly wait: boolean;
  readonly waitTimeout: number;
  readonly securityOpts: string[];
  readonly ulimits: Array<{ name: string; soft: number; hard: number }>;
  readonly logDriver: "json-file";
  readonly logOpts: Record<string, string>;
  readonly labels: Array<{ label: string; value: string }>;
}

/** Volume name of a service's named volume. */
export function volumeName(placement: DockerPlacement, service: string, volume: string): string {
  return `${placement.namePrefix}-${service}-${volume}`;
}

/** Renders a service's container settings: limits, health check, restart policy, ports on the bind address. */
export function renderContainer(settings: DockerServiceSettings, placement: DockerPlacement): RenderedContainer {
  const memoryMb = Math.ceil((parseSize(settings.memory) ?? 0) / 1024 ** 2);
  const healthcheck = settings.healthcheck;
  return {
    name: `${placement.namePrefix}-${settings.service}`,
    image: settings.image,
    hostname: settings.service,
    ...(settings.entrypoint ? { entrypoints: [...settings.entrypoint] } : {}),
    command: [...settings.command],
    ...(settings.user !== undefined ? { user: settings.user } : {}),
    envs: Object.keys(settings.env).sort().map((key) => `${key}=${settings.env[key]}`),
    memory: memoryMb,
    // Equal to memory: no swap on top of the limit.
    memorySwap: memoryMb,
    cpus: settings.cpus.toFixed(2),
    ports: settings.ports.map((port) => ({ internal: port.internal, external: port.external, ip: placement.bindAddress, protocol: "tcp" as const })),
    volumes: settings.volumes.map((volume) => ({ volumeName: volumeName(placement, settings.service, volume.name), containerPath: volume.containerPath, readOnly: volume.readOnly })),
    ...(healthcheck
      ? { healthcheck: { tests: ["CMD", ...healthcheck.test], interval: healthcheck.interval, timeout: healthcheck.timeout, retries: healthcheck.retries, startPeriod: healthcheck.startPeriod } }
      : {}),
    restart: settings.oneShot ? "no" : "unless-stopped",
    // A one-shot job exits by design; Pulumi waits for it and shows its log.
    mustRun: !settings.oneShot,
    attach: settings.oneShot,
    logs: settings.oneShot,
    wait: healthcheck !== undefined,
    waitTimeout: 180,
    securityOpts: [...settings.securityOpts],
    ulimits: [{ name: "nofile", soft: settings.nofile, hard: settings.nofile }],
    logDriver: "json-file",
    logOpts: { "max-file": "3", "max-size": "10m" },
    labels: [
      { label: "org.buildfarm.service", value: settings.service },
      { label: "org.buildfarm.image", value: settings.image },
    ],
  };
}
