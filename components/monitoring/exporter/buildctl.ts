import { execFile } from "node:child_process";

/** How to reach buildkitd through buildctl. */
export interface BuildctlOptions {
  /** Path of the buildctl binary. */
  readonly binary: string;
  /** `--addr`, e.g. `unix:///run/buildkit/buildkitd.sock` or `tcp://builder:1234`. */
  readonly addr?: string;
  readonly tlsCaCert?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsServerName?: string;
  /** Per-invocation timeout. */
  readonly timeoutMs: number;
}

/** Runs one buildctl subcommand and returns its stdout. */
export type BuildctlRunner = (args: readonly string[]) => Promise<string>;

/** Global flags go before the subcommand, as buildctl expects. */
export function globalFlags(options: BuildctlOptions): string[] {
  const flags: string[] = [];
  if (options.addr !== undefined) flags.push("--addr", options.addr);
  if (options.tlsCaCert !== undefined) flags.push("--tlscacert", options.tlsCaCert);
  if (options.tlsCert !== undefined) flags.push("--tlscert", options.tlsCert);
  if (options.tlsKey !== undefined) flags.push("--tlskey", options.tlsKey);
  if (options.tlsServerName !== undefined) flags.push("--tlsservername", options.tlsServerName);
  return flags;
}

export function buildctlRunner(options: BuildctlOptions): BuildctlRunner {
  const flags = globalFlags(options);
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(options.binary, [...flags, ...args], { timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
        if (error) reject(new Error(`buildctl ${args[0] ?? ""} ${args[1] ?? ""}: ${stderr.trim() || error.message}`.replace(/\s+/g, " ")));
        else resolve(stdout);
      });
    });
}

/** The subcommands the exporter uses. */
export const BUILDCTL_COMMANDS = {
  diskUsage: ["du", "--format", "{{json .}}"],
  histories: ["debug", "histories", "--format", "{{json .}}"],
  workers: ["debug", "workers", "--format", "{{json .}}"],
  logs: (ref: string) => ["debug", "logs", "--progress", "plain", ref],
} as const;
