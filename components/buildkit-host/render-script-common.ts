import type { BuildkitHostSettings } from "./args";
import type { HostPaths } from "./paths";

/** Single-quotes a value for POSIX sh. */
export function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `NAME="${NAME:-default}"` lines: every parameter can be overridden from the environment (tests set ROOT, BASE_URL, SYSTEMCTL). */
export function parameters(values: ReadonlyArray<[string, string]>): string {
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
    ["BACKUP_DIR", paths.backupDir],
    ["EXPORTER_SCRIPT", paths.exporterScript],
    ["CACHE_DIR", host.buildkitd.rootDir],
  ];
}

/** Shell functions every script uses: logging and the systemctl wrappers for rootful and rootless daemons. */
export const COMMON_FUNCTIONS = `
log() { printf '%s: %s\\n' "$SCRIPT" "$*" >&2; }
fail() { printf '%s: ERROR: %s\\n' "$SCRIPT" "$*" >&2; exit 1; }

# The daemon runs under the system manager, or under the rootless user's manager.
daemonctl() {
  if [ "$ROOTLESS" = 1 ]; then
    $SYSTEMCTL --user --machine="$ROOTLESS_USER@" "$@"
  else
    $SYSTEMCTL "$@"
  fi
}

daemon_units() {
  if [ "$ROOTLESS" = 1 ]; then echo "buildkit.service"; else echo "buildkit.socket buildkit.service"; fi
}`;

export const SCRIPT_HEADER = "# Managed by the buildfarm Pulumi program (BuildkitHost). Runs as root; every path is under $ROOT.";
