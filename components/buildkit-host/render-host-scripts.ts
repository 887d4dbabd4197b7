import { TLS_FILES } from "./paths";
import { COMMON_FUNCTIONS, commonParameters, parameters, SCRIPT_HEADER, type ScriptContext } from "./render-script-common";

/** A listener address as a client on the host reaches it (0.0.0.0 → 127.0.0.1). */
export function localClientAddress(address: string): string {
  return address.replace("0.0.0.0", "127.0.0.1").replace("[::]", "[::1]");
}

/**
 * verify.sh: the checks that must pass after every change. Each failure names the check, so the Pulumi
 * resource's error says what broke (moby/buildkit#4578: a bad TLS setup otherwise just looks "inactive").
 */
export function renderVerifyScript(context: ScriptContext): string {
  const { host } = context;
  const tcp = host.buildkitd.grpc.tcpAddress;
  // The name the server certificate is checked against, also for supplied certificates without 127.0.0.1.
  const serverName = host.buildkitd.tls.serverNames[0] ?? (host.connection.type === "ssh" ? host.connection.host : "localhost");
  return `#!/bin/sh
${SCRIPT_HEADER}
# Verifies the running BuildKit: version pin, buildctl over every listener (TLS included), /metrics.
set -eu
SCRIPT=buildkit-verify
ROOT="\${ROOT:-}"
${parameters([
  ...commonParameters(context),
  ["TCP_ADDR", tcp === undefined ? "" : localClientAddress(tcp)],
  ["TLS_SERVER_NAME", serverName],
  ["DEBUG_ADDR", localClientAddress(host.buildkitd.grpc.debugAddress)],
  ["UNIX_ADDR", host.buildkitd.worker.rootless ? "" : "unix:///run/buildkit/buildkitd.sock"],
  ["RETRIES", "15"],
  ["RETRY_DELAY", "2"],
])}
${COMMON_FUNCTIONS}

failed() {
  printf '%s: FAILED check "%s": %s\\n' "$SCRIPT" "$1" "$2" >&2
  exit 1
}

# Runs a check until it passes or RETRIES attempts are used (the daemon may still be starting).
retry() {
  attempt=1
  while ! "$@" > "$out" 2>&1; do
    [ "$attempt" -lt "$RETRIES" ] || return 1
    attempt=$((attempt + 1))
    sleep "$RETRY_DELAY"
  done
}

if [ -z "$UNIX_ADDR" ]; then
  UNIX_ADDR="unix:///run/user/$(id -u "$ROOTLESS_USER")/buildkit/buildkitd.sock"
fi
out="$(mktemp "\${TMPDIR:-/tmp}/buildkit-verify.XXXXXX")"
trap 'rm -f "$out"' EXIT
buildctl="$ROOT$BIN_DIR/buildctl"

check_version() {
  "$ROOT$BIN_DIR/buildkitd" --version > "$out" 2>&1 || failed "buildkitd --version" "$(cat "$out")"
  case " $(cat "$out") " in
    *" $VERSION "*) log "ok: buildkitd --version reports $VERSION" ;;
    *) failed "buildkitd --version" "expected $VERSION, got: $(cat "$out")" ;;
  esac
}

check_listener() {
  label="$1"
  shift
  retry "$buildctl" "$@" debug workers || failed "buildctl debug workers ($label)" "$(cat "$out")"
  log "ok: buildctl debug workers over $label"
  retry "$buildctl" "$@" debug info --format '{{json .}}' || failed "buildctl debug info ($label)" "$(cat "$out")"
  grep -q "\\"version\\":\\"$VERSION\\"" "$out" || failed "buildctl debug info ($label)" "daemon reports $(cat "$out"), expected $VERSION"
  log "ok: buildctl debug info over $label reports $VERSION"
}

check_metrics() {
  retry curl -fsS --max-time 5 "http://$DEBUG_ADDR/metrics" || failed "GET http://$DEBUG_ADDR/metrics" "$(head -c 300 "$out")"
  grep -q '^# TYPE ' "$out" || failed "GET http://$DEBUG_ADDR/metrics" "no Prometheus exposition in the answer"
  log "ok: /metrics answers on $DEBUG_ADDR"
}

check_version
check_listener "$UNIX_ADDR" --addr "$UNIX_ADDR"
if [ -n "$TCP_ADDR" ]; then
  check_listener "$TCP_ADDR (mTLS)" --addr "$TCP_ADDR" --tlsservername "$TLS_SERVER_NAME" --tlscacert "$ROOT$TLS_DIR/${TLS_FILES.ca}" --tlscert "$ROOT$TLS_DIR/${TLS_FILES.clientCert}" --tlskey "$ROOT$TLS_DIR/${TLS_FILES.clientKey}"
fi
check_metrics
log "all checks passed"
`;
}

/** uninstall.sh: stop and disable the units, remove binaries and config; the cache stays unless purgeCacheOnDelete. */
export function renderUninstallScript(context: ScriptContext): string {
  return `#!/bin/sh
${SCRIPT_HEADER}
# Removes BuildKit from this host. The cache directory ($CACHE_DIR) is kept unless PURGE_CACHE=1.
set -eu
SCRIPT=buildkit-uninstall
ROOT="\${ROOT:-}"
${parameters([...commonParameters(context), ["PURGE_CACHE", context.host.purgeCacheOnDelete ? "1" : "0"]])}
${COMMON_FUNCTIONS}

$SYSTEMCTL disable --now buildkit-insights-exporter.service || log "exporter unit was not active"
# shellcheck disable=SC2046 # daemon_units prints unit names
daemonctl disable --now $(daemon_units) || log "buildkit units were not active"

rm -f "$ROOT$UNIT_DIR/buildkit.service" "$ROOT$UNIT_DIR/buildkit.socket" "$ROOT$UNIT_DIR/buildkit-insights-exporter.service"
rm -f "$ROOT$USER_UNIT_DIR/buildkit.service"
rm -rf "$ROOT$UNIT_DIR/buildkit.service.d" "$ROOT$USER_UNIT_DIR/buildkit.service.d"
$SYSTEMCTL daemon-reload || true

# Only links that point into our install directory are ours to remove.
for link in "$ROOT$BIN_DIR"/*; do
  if [ -L "$link" ]; then
    case "$(readlink "$link")" in
      "$ROOT$INSTALL_DIR"/*) rm -f "$link" ;;
    esac
  fi
done
rm -rf "\${ROOT}\${INSTALL_DIR:?}" "\${ROOT}\${CONFIG_DIR:?}" "\${ROOT}\${BACKUP_DIR:?}" "\${ROOT}\${STAGING_DIR:?}"
if [ "$PURGE_CACHE" = 1 ]; then
  rm -rf "\${ROOT}\${CACHE_DIR:?}"
  log "removed BuildKit and purged the cache $CACHE_DIR"
else
  log "removed BuildKit; kept the cache $CACHE_DIR (purgeCacheOnDelete is false)"
fi
`;
}

/** check-rootless.sh: reports every missing rootless prerequisite at once, with the fix. */
export function renderRootlessCheckScript(context: ScriptContext): string {
  return `#!/bin/sh
${SCRIPT_HEADER}
# Checks what rootless BuildKit needs before anything is installed.
set -u
SCRIPT=buildkit-rootless-check
ROOT="\${ROOT:-}"
${parameters([...commonParameters(context), ["PROC", "/proc"]])}
problems=0
problem() { printf '%s: missing: %s\\n' "$SCRIPT" "$*" >&2; problems=$((problems + 1)); }

grep -q "^$ROOTLESS_USER:" "$ROOT/etc/passwd" 2>/dev/null || problem "user $ROOTLESS_USER (create it: useradd --create-home $ROOTLESS_USER)"
grep -q "^$ROOTLESS_USER:" "$ROOT/etc/subuid" 2>/dev/null || problem "an /etc/subuid entry for $ROOTLESS_USER (e.g. $ROOTLESS_USER:100000:65536)"
grep -q "^$ROOTLESS_USER:" "$ROOT/etc/subgid" 2>/dev/null || problem "an /etc/subgid entry for $ROOTLESS_USER (e.g. $ROOTLESS_USER:100000:65536)"
for tool in newuidmap newgidmap; do
  command -v "$tool" > /dev/null 2>&1 || problem "$tool (install the uidmap package)"
done
command -v rootlesskit > /dev/null 2>&1 || problem "rootlesskit (ships in the moby/buildkit rootless image or rootless-containers/rootlesskit releases)"
command -v slirp4netns > /dev/null 2>&1 || problem "slirp4netns (install the slirp4netns package)"
max_userns="$(cat "$PROC/sys/user/max_user_namespaces" 2>/dev/null || echo 0)"
[ "$max_userns" -gt 0 ] || problem "user namespaces (sysctl user.max_user_namespaces is $max_userns)"
if [ -f "$PROC/sys/kernel/unprivileged_userns_clone" ] && [ "$(cat "$PROC/sys/kernel/unprivileged_userns_clone")" != 1 ]; then
  problem "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)"
fi
if [ "$problems" -gt 0 ]; then
  printf '%s: %s rootless prerequisite(s) missing for %s\\n' "$SCRIPT" "$problems" "$ROOTLESS_USER" >&2
  exit 1
fi
printf '%s: rootless prerequisites present for %s\\n' "$SCRIPT" "$ROOTLESS_USER" >&2
`;
}

