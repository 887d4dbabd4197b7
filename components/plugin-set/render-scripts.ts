import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Artifact } from "../../lib/artifacts";
import { SUPPORTED_ARCHES, pluginDigest } from "../../lib/versions";
import type { PluginSetSettings, RequiredPlugin } from "./args";
import { KNOWN_PLUGINS } from "./known-plugins";

/** The POSIX shell scripts PluginSet puts on a host, by file name. */
export const SCRIPT_NAMES = ["plugin-audit.sh", "plugin-repair.sh", "plugin-install.sh", "plugin-health.sh", "plugin-buildx-remote.sh"] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

const SETTINGS_MARKER = "#@SETTINGS@";

/** The script as shipped in this folder (no settings rendered in). */
export function scriptTemplate(name: ScriptName): string {
  return readFileSync(join(__dirname, "scripts", name), "utf8");
}

/** Single-quotes a value for POSIX sh. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `[ -n "${VAR:-}" ] || VAR='default'` lines: rendered defaults that the environment can still override. */
function withDefaults(template: string, defaults: ReadonlyArray<readonly [string, string]>): string {
  const lines = defaults.map(([key, value]) => `[ -n "\${${key}:-}" ] || ${key}=${shellQuote(value)}`);
  return template.replace(SETTINGS_MARKER, ["# Rendered by PluginSet; the environment still overrides.", ...lines].join("\n"));
}

/** `amd64=<sha256>,arm64=<sha256>` from the config or lib/versions.ts; `-` when nothing is pinned. */
export function pinField(plugin: RequiredPlugin): string {
  const pins = SUPPORTED_ARCHES.flatMap((arch) => {
    const digest = plugin.sha256?.[arch] ?? pluginDigest(plugin.name, plugin.version, arch);
    return digest === undefined ? [] : [`${arch}=${digest}`];
  });
  return pins.length === 0 ? "-" : pins.join(",");
}

/** One PLUGINS line for the install script: `name version asset checksum-files base-url pins`. */
export function pluginLine(plugin: RequiredPlugin): string {
  const release = KNOWN_PLUGINS[plugin.name]?.release;
  const asset = plugin.asset ?? release?.asset;
  const checksums = plugin.checksumFiles ?? release?.checksumFiles;
  let base = plugin.downloadBaseUrl ?? release?.baseUrl;
  if (asset === undefined || checksums === undefined || base === undefined) {
    throw new Error(`buildfarm:plugins.required: expected asset, checksumFiles and downloadBaseUrl for "${plugin.name}", got none`);
  }
  base = base.replace(/\/+$/, "");
  if (!base.includes("{version}")) base = `${base}/{version}`;
  return [plugin.name, plugin.version, asset, checksums.join(","), base, pinField(plugin)].join(" ");
}

/** buildx first: compose's compatibility check needs the new buildx in place. */
export function installOrder(plugins: readonly RequiredPlugin[]): RequiredPlugin[] {
  return [...plugins].sort((a, b) => Number(b.name === "buildx") - Number(a.name === "buildx"));
}

export function renderAuditScript(): string {
  return scriptTemplate("plugin-audit.sh");
}

export function renderRepairScript(settings: PluginSetSettings): string {
  return withDefaults(scriptTemplate("plugin-repair.sh"), [
    ["QUARANTINE_DIR", settings.quarantineDir],
    ["QUARANTINE_SHADOWED", settings.quarantineShadowed ? "1" : "0"],
    ["HISTORY_LOG", `${settings.stateDir}/history.jsonl`],
  ]);
}

export function renderInstallScript(settings: PluginSetSettings): string {
  return withDefaults(scriptTemplate("plugin-install.sh"), [
    ["PLUGINS", installOrder(settings.required).map(pluginLine).join("\n")],
    ["PLUGIN_INSTALL_DIR", settings.installDir],
    ["PLUGIN_STATE_DIR", settings.stateDir],
    ["PLUGIN_REQUIRE_PIN", settings.requirePinnedDigests ? "1" : "0"],
    ["PLUGIN_REQUIRE_HTTPS", settings.allowHttpMirrors ? "0" : "1"],
    ["PLUGIN_CONNECT_TIMEOUT", String(settings.download.connectTimeoutSeconds)],
    ["PLUGIN_MAX_TIME", String(settings.download.maxTimeSeconds)],
    ["PLUGIN_LOW_SPEED_LIMIT", String(settings.download.lowSpeedBytesPerSecond)],
    ["PLUGIN_LOW_SPEED_TIME", String(settings.download.lowSpeedSeconds)],
    ["PLUGIN_ATTEMPTS", String(settings.download.attempts)],
    ["PLUGIN_RETRY_DELAY", String(settings.download.retryDelaySeconds)],
  ]);
}

export function renderHealthScript(settings: PluginSetSettings): string {
  return withDefaults(scriptTemplate("plugin-health.sh"), [["TEXTFILE_DIR", settings.textfileDir]]);
}

export function renderBuildxRemoteScript(): string {
  return scriptTemplate("plugin-buildx-remote.sh");
}

/** The buildx client TLS files in a directory: what `buildxClientFilesCommand` writes. */
export const BUILDX_TLS_FILES = { ca: "ca.pem", cert: "client.pem", key: "client-key.pem" } as const;

/**
 * Writes (create) or removes (delete) the buildx client TLS files in `dir` on the machine running Pulumi:
 * plugin-buildx-tls.sh arrives on stdin, the PEMs in the environment (CA, CERT, KEY). The key ends 0600
 * whether or not it existed before.
 */
export function buildxClientFilesCommand(dir: string): { create: string; delete: string; stdin: string } {
  const script = readFileSync(join(__dirname, "scripts", "plugin-buildx-tls.sh"), "utf8");
  return { create: `sh -s -- ${shellQuote(dir)}`, delete: `sh -s -- --remove ${shellQuote(dir)}`, stdin: script };
}

/** Every script, as `plugins/<file>` artifacts. */
export function renderScriptArtifacts(settings: PluginSetSettings): Artifact[] {
  const content: Record<ScriptName, string> = {
    "plugin-audit.sh": renderAuditScript(),
    "plugin-repair.sh": renderRepairScript(settings),
    "plugin-install.sh": renderInstallScript(settings),
    "plugin-health.sh": renderHealthScript(settings),
    "plugin-buildx-remote.sh": renderBuildxRemoteScript(),
  };
  return SCRIPT_NAMES.map((name) => ({ path: `plugins/${name}`, content: content[name] }));
}
