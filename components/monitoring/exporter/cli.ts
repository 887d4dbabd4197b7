import { parseArgs } from "node:util";
import type { BuildctlOptions } from "./buildctl";

/** Resolved exporter settings from its command line. */
export interface ExporterFlags {
  readonly listenHost: string;
  readonly listenPort: number;
  readonly buildctl: BuildctlOptions;
  readonly intervalSeconds: number;
  readonly gcMaxUsedBytes?: number;
  readonly historyLimit: number;
  readonly maxLogFetchesPerScan: number;
  /** name → PEM path of certificates whose expiry is exported. */
  readonly certificates: Record<string, string>;
}

export const EXPORTER_USAGE = `Usage: exporter [flags]
  --listen HOST:PORT            where /metrics is served (default 127.0.0.1:9465)
  --buildctl PATH               buildctl binary (default /usr/local/bin/buildctl)
  --buildctl-addr ADDR          buildkitd address (default: buildctl's own default)
  --tlscacert, --tlscert, --tlskey, --tlsservername   TLS flags passed to buildctl
  --interval DURATION           poll interval, e.g. 15s (default 15s)
  --timeout DURATION            per buildctl call (default 10s)
  --gc-max-used-bytes SIZE      GC maxUsedSpace, e.g. 20GB (default: read from buildctl debug workers)
  --history-limit N             build records kept as series (default 50)
  --max-log-fetches N           buildctl debug logs calls per scan (default 5)
  --certificate NAME=PATH       export a PEM certificate's expiry (repeatable)`;

/** Parses argv (without node and script); throws a message naming the flag on bad input. */
export function parseExporterFlags(argv: readonly string[]): ExporterFlags {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      listen: { type: "string", default: "127.0.0.1:9465" },
      buildctl: { type: "string", default: "/usr/local/bin/buildctl" },
      "buildctl-addr": { type: "string" },
      tlscacert: { type: "string" },
      tlscert: { type: "string" },
      tlskey: { type: "string" },
      tlsservername: { type: "string" },
      interval: { type: "string", default: "15s" },
      timeout: { type: "string", default: "10s" },
      "gc-max-used-bytes": { type: "string" },
      "history-limit": { type: "string", default: "50" },
      "max-log-fetches": { type: "string", default: "5" },
      certificate: { type: "string", multiple: true, default: [] },
    },
  });
  const listen = /^(.+):(\d{1,5})$/.exec(values.listen);
  if (!listen?.[1] || !listen[2] || Number(listen[2]) > 65535) throw new Error(`--listen: expected HOST:PORT like 127.0.0.1:9465, got "${values.listen}"`);
  const interval = parseDuration(values.interval);
  if (interval === undefined || interval <= 0) throw new Error(`--interval: expected a duration like 15s, got "${values.interval}"`);
  const timeout = parseDuration(values.timeout);
  if (timeout === undefined || timeout <= 0) throw new Error(`--timeout: expected a duration like 10s, got "${values.timeout}"`);
  let gcMaxUsedBytes: number | undefined;
  if (values["gc-max-used-bytes"] !== undefined) {
    gcMaxUsedBytes = parseSize(values["gc-max-used-bytes"]);
    if (gcMaxUsedBytes === undefined || gcMaxUsedBytes <= 0) throw new Error(`--gc-max-used-bytes: expected a size like 20GB, got "${values["gc-max-used-bytes"]}"`);
  }
  const certificates: Record<string, string> = {};
  for (const entry of values.certificate) {
    const match = /^([a-z0-9_-]+)=(.+)$/i.exec(entry);
    if (!match?.[1] || !match[2]) throw new Error(`--certificate: expected NAME=PATH, got "${entry}"`);
    certificates[match[1]] = match[2];
  }
  const hasClientCert = values.tlscert !== undefined || values.tlskey !== undefined;
  if (hasClientCert && (values.tlscert === undefined || values.tlskey === undefined)) throw new Error("--tlscert and --tlskey: expected both or neither");
  return {
    listenHost: listen[1].replace(/^\[|\]$/g, ""),
    listenPort: Number(listen[2]),
    buildctl: {
      binary: values.buildctl,
      timeoutMs: timeout * 1000,
      ...(values["buildctl-addr"] !== undefined ? { addr: values["buildctl-addr"] } : {}),
      ...(values.tlscacert !== undefined ? { tlsCaCert: values.tlscacert } : {}),
      ...(values.tlscert !== undefined ? { tlsCert: values.tlscert } : {}),
      ...(values.tlskey !== undefined ? { tlsKey: values.tlskey } : {}),
      ...(values.tlsservername !== undefined ? { tlsServerName: values.tlsservername } : {}),
    },
    intervalSeconds: interval,
    ...(gcMaxUsedBytes !== undefined ? { gcMaxUsedBytes } : {}),
    historyLimit: positiveInt("--history-limit", values["history-limit"]),
    maxLogFetchesPerScan: positiveInt("--max-log-fetches", values["max-log-fetches"], 0),
    certificates,
  };
}

/** Same units as lib/units (kept local so the bundled exporter does not pull in zod). */
const SIZE_FACTORS: Readonly<Record<string, number>> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4 };
const DURATION_FACTORS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Math.round(Number(match[1]) * (SIZE_FACTORS[(match[2] ?? "B").toUpperCase()] ?? 1));
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  return match ? Number(match[1]) * (DURATION_FACTORS[match[2] as string] ?? 1) : undefined;
}

function positiveInt(flag: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`${flag}: expected an integer >= ${min}, got "${text}"`);
  return value;
}
