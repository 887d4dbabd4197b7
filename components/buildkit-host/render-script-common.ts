import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BuildkitHostSettings } from "./args";
import type { HostPaths } from "./paths";

/** Single-quotes a value for POSIX sh. */
export function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `NAME="${NAME:-default}"` lines: every parameter can be overridden from the environment (tests set ROOT, BASE_URL, SYSTEMCTL). */
export function parameters(values: ReadonlyArray<readonly [string, string]>): string {
  return values.map(([name, value]) => `${name}="\${${name}:-${value.replace(/["\\$`]/g, "\\$&")}}"`).join("\n");
}

export interface ScriptContext {
  readonly host: BuildkitHostSettings;
  readonly paths: HostPaths;
  readonly version: string;
}

/** Parameters shared by every host script. */
export function commonParameters({ host, paths, version }: ScriptContext): Array<[string, string]> {
  return [
    ["VERSION", version],
    ["SYSTEMCTL", "systemctl"],
    ["LOGINCTL", "loginctl"],
    ["ROOTLESS", host.buildkitd.worker.rootless ? "1" : "0"],
    ["ROOTLESS_USER", host.rootlessUser],
    ["CONFIG_DIR", paths.configDir],
    ["TLS_DIR", paths.tlsDir],
    ["INSTALL_DIR", paths.installDir],
    ["BIN_DIR", paths.binDir],
    ["UNIT_DIR", paths.unitDir],
    ["USER_UNIT_DIR", paths.userUnitDir],
    ["STAGING_DIR", paths.stagingDir],
    ["STATE_DIR", paths.stateDir],
    ["EXPORTER_SCRIPT", paths.exporterScript],
    ["CACHE_DIR", host.buildkitd.rootDir],
  ];
}

/** The host scripts shipped as real files in ./scripts (shellcheck runs on them as rendered). */
export type HostScriptName = "install.sh" | "verify.sh" | "uninstall.sh" | "check-rootless.sh";

/**
 * A script from ./scripts with its parameters rendered in at `#@PARAMETERS@` (through `parameters`, the one
 * quoting helper) and the shared functions of scripts/common.sh at `#@COMMON@`. TypeScript only fills in values.
 */
export function renderScriptFile(name: HostScriptName, values: ReadonlyArray<readonly [string, string]>): string {
  const template = readFileSync(join(__dirname, "scripts", name), "utf8");
  const common = readFileSync(join(__dirname, "scripts", "common.sh"), "utf8").trimEnd();
  return template.replace("#@PARAMETERS@", () => parameters(values)).replace("#@COMMON@", () => common);
}
