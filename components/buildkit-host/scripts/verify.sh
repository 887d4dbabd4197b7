#!/bin/sh
# Managed by the buildfarm Pulumi program (BuildkitHost). Runs as root; every path is under $ROOT.
# Verifies the running BuildKit: version pin, buildctl over every listener (TLS included), /metrics.
# Each failure names the check, so the apply step's error says what broke (moby/buildkit#4578: a bad TLS
# setup otherwise just looks "inactive").
set -eu
SCRIPT=buildkit-verify
ROOT="${ROOT:-}"
#@PARAMETERS@
#@COMMON@

failed() {
  printf '%s: FAILED check "%s": %s\n' "$SCRIPT" "$1" "$2" >&2
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
out="$(mktemp "${TMPDIR:-/tmp}/buildkit-verify.XXXXXX")"
trap 'rm -f "$out"' EXIT
trap 'exit 130' INT TERM HUP
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
  grep -q "\"version\":\"$VERSION\"" "$out" || failed "buildctl debug info ($label)" "daemon reports $(cat "$out"), expected $VERSION"
  log "ok: buildctl debug info over $label reports $VERSION"
}

check_metrics() {
  retry curl -fsS --connect-timeout 3 --max-time 5 "http://$DEBUG_ADDR/metrics" || failed "GET http://$DEBUG_ADDR/metrics" "$(head -c 300 "$out")"
  grep -q '^# TYPE ' "$out" || failed "GET http://$DEBUG_ADDR/metrics" "no Prometheus exposition in the answer"
  log "ok: /metrics answers on $DEBUG_ADDR"
}

check_version
check_listener "$UNIX_ADDR" --addr "$UNIX_ADDR"
if [ -n "$TCP_ADDR" ]; then
  check_listener "$TCP_ADDR (mTLS)" --addr "$TCP_ADDR" --tlsservername "$TLS_SERVER_NAME" --tlscacert "$ROOT$TLS_DIR/$TLS_CA_FILE" --tlscert "$ROOT$TLS_DIR/$TLS_CLIENT_CERT_FILE" --tlskey "$ROOT$TLS_DIR/$TLS_CLIENT_KEY_FILE"
fi
check_metrics
log "all checks passed"
