#!/bin/sh
# Drain one buildkitd: mark it draining, then wait until it runs no build, bounded by a grace period.
#
# Shared contract (docs/kubernetes-pool.md#drain): while DRAIN_FLAG_FILE exists the pool front sends
# no new connection to this builder (SSH hosts: the HAProxy agent answers "drain"; Kubernetes: the
# readiness probe fails and the pod leaves the headless Service). Builds already running go on.
#
# Exit 0: the daemon reports no running build. Exit 1: the grace period ran out (a build still runs,
# or the daemon could not be asked); the caller decides to stop anyway. Exit 2: bad parameters.
#
# Environment: BUILDKIT_ADDR (buildctl --addr; buildctl's default when unset), BUILDCTL (path of
# buildctl), DRAIN_FLAG_FILE, GRACE_SECONDS, POLL_SECONDS, and when set BUILDCTL_TLS_CA,
# BUILDCTL_TLS_CERT, BUILDCTL_TLS_KEY, TLS_SERVER_NAME.
#
# Plain POSIX sh: runs in the moby/buildkit rootless image (busybox) and on Debian (dash).
set -eu

BUILDCTL="${BUILDCTL:-buildctl}"
DRAIN_FLAG_FILE="${DRAIN_FLAG_FILE:-/run/buildkit/drain}"
GRACE_SECONDS="${GRACE_SECONDS:-600}"
POLL_SECONDS="${POLL_SECONDS:-5}"

log() { printf 'buildkit-drain: %s\n' "$*" >&2; }

require_count() {
  case "$2" in
    '' | *[!0-9]*) log "$1 must be a whole number of seconds, got '$2'"; exit 2 ;;
  esac
}
require_count GRACE_SECONDS "$GRACE_SECONDS"
require_count POLL_SECONDS "$POLL_SECONDS"
if [ "$POLL_SECONDS" -lt 1 ]; then log "POLL_SECONDS must be at least 1, got '$POLL_SECONDS'"; exit 2; fi

# buildctl's global flags, built as positional parameters so no value is ever re-split.
set -- "$BUILDCTL"
if [ -n "${BUILDKIT_ADDR:-}" ]; then set -- "$@" --addr "$BUILDKIT_ADDR"; fi
if [ -n "${BUILDCTL_TLS_CA:-}" ]; then set -- "$@" --tlscacert "$BUILDCTL_TLS_CA"; fi
if [ -n "${BUILDCTL_TLS_CERT:-}" ]; then set -- "$@" --tlscert "$BUILDCTL_TLS_CERT"; fi
if [ -n "${BUILDCTL_TLS_KEY:-}" ]; then set -- "$@" --tlskey "$BUILDCTL_TLS_KEY"; fi
if [ -n "${TLS_SERVER_NAME:-}" ]; then set -- "$@" --tlsservername "$TLS_SERVER_NAME"; fi

# Running builds, counted from `buildctl debug histories`: it replays every active build as a
# STARTED event and every finished record as COMPLETE, then exits (EarlyExit). `{{.Type}}` prints
# the event type's name, one line per event. Each call is bounded by the time left (at least 1 s).
# Prints the count; fails (with buildctl's error in $query_error) when the daemon cannot be asked.
count_running_builds() {
  bound="$1"
  shift
  if command -v timeout >/dev/null 2>&1; then
    events=$(timeout "$bound" "$@" debug histories --format '{{.Type}}' 2>"$error_file") || return 1
  else
    events=$("$@" debug histories --format '{{.Type}}' 2>"$error_file") || return 1
  fi
  printf '%s\n' "$events" | grep -c '^STARTED$' || true
}

mkdir -p "$(dirname "$DRAIN_FLAG_FILE")"
: >"$DRAIN_FLAG_FILE"
log "draining: created $DRAIN_FLAG_FILE; waiting up to ${GRACE_SECONDS}s for running builds"

error_file=$(mktemp)
trap 'rm -f "$error_file"' EXIT
started=$(date +%s)
deadline=$((started + GRACE_SECONDS))
while :; do
  now=$(date +%s)
  left=$((deadline - now))
  [ "$left" -ge 1 ] || left=1
  if running=$(count_running_builds "$left" "$@"); then
    if [ "$running" -eq 0 ]; then
      log "drained: no running build after $(($(date +%s) - started))s"
      exit 0
    fi
    status="$running build(s) still running"
  else
    status="could not ask the daemon: $(tr '\n' ' ' <"$error_file")"
  fi
  now=$(date +%s)
  if [ "$now" -ge "$deadline" ]; then
    log "grace period of ${GRACE_SECONDS}s ran out: $status"
    exit 1
  fi
  log "waiting: $status"
  pause=$((deadline - now))
  [ "$pause" -le "$POLL_SECONDS" ] || pause="$POLL_SECONDS"
  sleep "$pause"
done
