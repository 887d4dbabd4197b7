#!/bin/sh
# plugin-install.sh: installs or updates the pinned Docker CLI plugins, safely.
# For each plugin: download (bounded) → verify the sha256 pinned in the
# repository (a mirror's checksum file alone is never trusted when a pin
# exists, and is refused with PLUGIN_REQUIRE_PIN=1) → check it is a
# binary for this machine → metadata call (SchemaVersion, Vendor, pinned
# Version) → `docker <plugin> version` smoke test → compatibility checks →
# atomic swap keeping the previous binary → post-swap verification → roll back
# on failure. Every install, update and rollback is appended to a JSON-lines
# history. A plugin already at its pinned version is left alone.
#
# Usage: sh plugin-install.sh
# Environment (defaults rendered by PluginSet):
#   PLUGINS                  lines "name version asset checksum-files base-url pins"
#                            ({version} {arch} {uarch} {asset} placeholders;
#                            pins "amd64=<sha256>,arm64=<sha256>" or "-")
#   PLUGIN_INSTALL_DIR       where plugins go
#   PLUGIN_STATE_DIR         staging/, previous/ and failed/ live here
#   HISTORY_LOG              JSON-lines history
#   PLUGIN_DOWNLOAD_BASE_URL mirror for every plugin ({name} {version} allowed)
#   PLUGIN_ARCH              amd64|arm64 (default: from uname -m)
#   DOCKER_BIN               docker CLI for smoke tests (default docker)
#   PLUGIN_AUDIT             audit script (default: plugin-audit.sh beside this one)
#   PLUGIN_REQUIRE_PIN       1: refuse a plugin without a pinned sha256 (default 1)
#   PLUGIN_REQUIRE_HTTPS     1: refuse http:// download URLs (default 1)
#   PLUGIN_CONNECT_TIMEOUT PLUGIN_MAX_TIME PLUGIN_LOW_SPEED_LIMIT PLUGIN_LOW_SPEED_TIME
#   PLUGIN_ATTEMPTS PLUGIN_RETRY_DELAY   download bounds (seconds, bytes/s, count)
# One run at a time (flock on $PLUGIN_STATE_DIR/install.lock, released by the
# kernel when a run dies); temp files live in $PLUGIN_STATE_DIR/staging and are
# removed on exit and by the next run. Exit 75: another run holds the lock;
# 77: the state directory or lock file cannot be written.
set -u
set -f
#@SETTINGS@
PLUGINS="${PLUGINS:-}"
INSTALL_DIR="${PLUGIN_INSTALL_DIR:-/usr/local/lib/docker/cli-plugins}"
STATE_DIR="${PLUGIN_STATE_DIR:-/var/lib/buildfarm/plugins}"
HISTORY="${HISTORY_LOG:-$STATE_DIR/history.jsonl}"
DOCKER_BIN="${DOCKER_BIN:-docker}"
HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
AUDIT="${PLUGIN_AUDIT:-$HERE/plugin-audit.sh}"
REQUIRE_PIN="${PLUGIN_REQUIRE_PIN:-1}"
REQUIRE_HTTPS="${PLUGIN_REQUIRE_HTTPS:-1}"
CONNECT_TIMEOUT="${PLUGIN_CONNECT_TIMEOUT:-10}"
MAX_TIME="${PLUGIN_MAX_TIME:-300}"
LOW_SPEED_LIMIT="${PLUGIN_LOW_SPEED_LIMIT:-1024}"
LOW_SPEED_TIME="${PLUGIN_LOW_SPEED_TIME:-30}"
ATTEMPTS="${PLUGIN_ATTEMPTS:-3}"
RETRY_DELAY="${PLUGIN_RETRY_DELAY:-2}"
STAGING="$STATE_DIR/staging"
NL='
'

esc() {
  printf '%s' "$1" | LC_ALL=C awk 'BEGIN { for (i = 1; i < 32; i++) ctl[sprintf("%c", i)] = sprintf("\\u%04x", i); ctl["\t"] = "\\t"; ctl["\r"] = "\\r" }
    { line = $0; out = ""
      for (i = 1; i <= length(line); i++) { c = substr(line, i, 1)
        if (c == "\\") out = out "\\\\"; else if (c == "\"") out = out "\\\""; else if (c in ctl) out = out ctl[c]; else out = out c }
      printf "%s%s", (NR > 1 ? "\\n" : ""), out }'
}
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
log() { printf 'plugin-install: %s\n' "$*" >&2; }

# history action plugin from to result reason
history() {
  mkdir -p "$(dirname "$HISTORY")" &&
    printf '{"time":"%s","action":"%s","plugin":"%s","fromVersion":"%s","toVersion":"%s","result":"%s","reason":"%s"}\n' \
      "$(now)" "$1" "$(esc "$2")" "$(esc "$3")" "$(esc "$4")" "$5" "$(esc "$6")" >>"$HISTORY"
}

case "${PLUGIN_ARCH:-$(uname -m)}" in
  x86_64|amd64) ARCH=amd64 UARCH=x86_64 ;;
  aarch64|arm64) ARCH=arm64 UARCH=aarch64 ;;
  *) log "unsupported architecture ${PLUGIN_ARCH:-$(uname -m)}"; exit 1 ;;
esac

strip_v() { printf '%s' "${1#v}"; }
# version_ge A B: true when A >= B (numeric x.y.z, leading v ignored).
version_ge() {
  awk -v a="$(strip_v "$1")" -v b="$(strip_v "$2")" 'BEGIN { split(a, x, /[.-]/); split(b, y, /[.-]/)
    for (i = 1; i <= 3; i++) { if (x[i] + 0 > y[i] + 0) exit 0; if (x[i] + 0 < y[i] + 0) exit 1 } exit 0 }'
}
subst() { printf '%s' "$1" | sed -e "s|{name}|$2|g" -e "s|{version}|$3|g" -e "s|{arch}|$ARCH|g" -e "s|{uarch}|$UARCH|g" -e "s|{asset}|$4|g"; }

# fetch URL FILE: one bounded download with bounded retries (doubling pauses).
# On failure FETCH_ERROR says why; a 4xx answer is not retried.
fetch() {
  attempt=1 pause=$RETRY_DELAY FETCH_ERROR=""
  while :; do
    rc=0 code=""
    if command -v curl >/dev/null 2>&1; then
      code=$(curl -sSL --fail --connect-timeout "$CONNECT_TIMEOUT" --max-time "$MAX_TIME" \
        --speed-limit "$LOW_SPEED_LIMIT" --speed-time "$LOW_SPEED_TIME" -w '%{http_code}' -o "$2" "$1" 2>/dev/null) || rc=$?
    elif command -v wget >/dev/null 2>&1; then
      timeout "$MAX_TIME" wget -q -T "$CONNECT_TIMEOUT" -t 1 -O "$2" "$1" || rc=$?
    else FETCH_ERROR="neither curl nor wget found"; return 1; fi
    [ "$rc" -eq 0 ] && return 0
    case "$rc:$code" in
      28:*|124:*) FETCH_ERROR="timed out: no connection within ${CONNECT_TIMEOUT}s, under ${LOW_SPEED_LIMIT} bytes/s for ${LOW_SPEED_TIME}s, or over ${MAX_TIME}s (mirror stalled?)" ;;
      18:*) FETCH_ERROR="truncated: the server closed the connection before the whole file arrived" ;;
      6:*|7:*) FETCH_ERROR="cannot connect (curl exit $rc)" ;;
      22:4*) FETCH_ERROR="HTTP $code"; [ "$code" = 429 ] || return 1 ;;
      22:*) FETCH_ERROR="HTTP $code" ;;
      *) FETCH_ERROR="curl/wget exit $rc" ;;
    esac
    [ "$attempt" -ge "$ATTEMPTS" ] && { FETCH_ERROR="$FETCH_ERROR, after $attempt attempt(s)"; return 1; }
    log "download of $1 failed ($FETCH_ERROR); attempt $((attempt + 1))/$ATTEMPTS in ${pause}s"
    sleep "$pause"
    attempt=$((attempt + 1)) pause=$((pause * 2))
  done
}
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
  else openssl dgst -sha256 "$1" | sed 's/^.*= *//'; fi
}

# audit_one DOCKER_CONFIG NAME: "status<TAB>reason<TAB>version" of NAME as the
# Docker CLI would see it with only that config dir (system dirs excluded).
audit_one() {
  DOCKER_CONFIG=$1 PLUGIN_SYSTEM_DIRS="" PLUGIN_AUDIT_ENGINE=off sh "$AUDIT" --format tsv |
    awk -F '\t' -v n="$2" '$3 == n && $1 != "shadowed" { print $1 "\t" $4 "\t" $5; exit }'
}

# verify DOCKER_CONFIG NAME VERSION: prints why the plugin is unusable, or nothing.
verify() {
  result=$(audit_one "$1" "$2")
  status=$(printf '%s' "$result" | cut -f1); reason=$(printf '%s' "$result" | cut -f2); got=$(printf '%s' "$result" | cut -f3)
  if [ "$status" != valid ]; then
    case "$reason" in *"exec format error"*) reason="$reason (wrong architecture, or an HTML error page saved as the plugin)" ;; esac
    echo "metadata check failed: ${reason:-plugin not found}"; return
  fi
  if [ "$(strip_v "$got")" != "$(strip_v "$3")" ]; then echo "metadata reports version $got, pinned $3"; return; fi
  if command -v "$DOCKER_BIN" >/dev/null 2>&1; then out=$(DOCKER_CONFIG=$1 "$DOCKER_BIN" "$2" version 2>&1); rc=$?
  else out=$("$1/cli-plugins/docker-$2" "$2" version 2>&1); rc=$?; fi
  if [ "$rc" -ne 0 ]; then echo "smoke test \`docker $2 version\` failed with exit status $rc"; return; fi
  case "$out" in *"$(strip_v "$3")"*) ;; *) echo "smoke test \`docker $2 version\` does not report $3" ;; esac
}

# compatible NAME: prints why NAME cannot go in next to what is installed.
compatible() {
  case "$1" in
    compose)
      buildx=$(audit_one_dir "$INSTALL_DIR" buildx)
      if [ "$(printf '%s' "$buildx" | cut -f1)" != valid ]; then echo "compose needs buildx >= 0.17 and no valid buildx is installed in $INSTALL_DIR"
      elif ! version_ge "$(printf '%s' "$buildx" | cut -f3)" 0.17.0; then echo "compose needs buildx >= 0.17, found $(printf '%s' "$buildx" | cut -f3)"; fi ;;
  esac
}

# audit_one_dir DIR NAME: like audit_one for a plugin directory.
audit_one_dir() {
  cfg=$(mktemp -d "$STAGING/cfg.XXXXXX") || return 1
  printf '{"cliPluginsExtraDirs":["%s"]}\n' "$(esc "$1")" >"$cfg/config.json"
  audit_one "$cfg" "$2"
  rm -rf "$cfg"
}

# pin_for PINS: the sha256 pinned for this machine's architecture, or nothing.
pin_for() {
  printf '%s' "$1" | tr ',' '\n' | awk -F= -v a="$ARCH" '$1 == a && $2 ~ /^[0-9a-f]+$/ && length($2) == 64 { print $2; exit }'
}

# install_one NAME VERSION ASSET CHECKSUMS BASE PINS
install_one() {
  name=$1 version=$2
  asset=$(subst "$3" "$name" "$version" "")
  base=$(subst "${PLUGIN_DOWNLOAD_BASE_URL:-$5}" "$name" "$version" "$asset")
  pin=$(pin_for "$6")
  target="$INSTALL_DIR/docker-$name"
  current=$(audit_one_dir "$INSTALL_DIR" "$name")
  from=""; [ "$(printf '%s' "$current" | cut -f1)" = valid ] && from=$(printf '%s' "$current" | cut -f3)
  if [ -n "$from" ] && [ "$(strip_v "$from")" = "$(strip_v "$version")" ]; then
    if [ -z "$pin" ] || [ "$(sha256 "$target")" = "$pin" ]; then
      log "$name $version already installed"; warn_if_shadowed "$name" "$target"; return 0
    fi
    log "$name $version is installed but its sha256 is not the pinned $pin; reinstalling"
  fi
  if [ -e "$target" ] || [ -L "$target" ]; then action=update; else action=install; fi
  stage="$STAGING/$name-$version"
  fail() { history "$action" "$name" "$from" "$version" failed "$1"; log "$name $version: $1; $target left as it was"; rm -rf "$stage"; return 1; }
  if [ -z "$pin" ] && [ "$REQUIRE_PIN" = 1 ]; then fail "no sha256 pinned for $name $version ($ARCH): add it to lib/versions.ts or buildfarm:plugins.required[].sha256"; return 1; fi
  case "$base" in
    https://*) ;;
    http://*) if [ "$REQUIRE_HTTPS" = 1 ]; then fail "refusing the plain-HTTP mirror $base (https:// required)"; return 1; fi ;;
    *) fail "unsupported download URL $base"; return 1 ;;
  esac
  { rm -rf "$stage" && mkdir -p "$stage/cli-plugins"; } || { history "$action" "$name" "$from" "$version" failed "cannot create $stage"; return 1; }

  fetch "$base/$asset" "$stage/$asset" || { fail "download of $base/$asset failed: $FETCH_ERROR"; return 1; }
  if LC_ALL=C head -c 512 "$stage/$asset" | tr -d ' \t\r\n' | grep -qi '^<'; then fail "downloaded $asset is an HTML page, not a plugin binary"; return 1; fi
  expected="$pin" source="the pin in this repository"
  if [ -z "$expected" ]; then
    log "warning: no pinned sha256 for $name $version ($ARCH); trusting the mirror's checksum file"
    source="the mirror's checksum file"
    OLDIFS=$IFS; IFS=,
    for sums in $4; do
      IFS=$OLDIFS
      sums=$(subst "$sums" "$name" "$version" "$asset")
      fetch "$base/$sums" "$stage/$sums.sums" 2>/dev/null || continue
      expected=$(awk -v a="$asset" '{ f = $2; sub(/^\*/, "", f); if (f == a && $1 ~ /^[0-9a-fA-F]+$/ && length($1) == 64) { print tolower($1); exit } }' "$stage/$sums.sums")
      [ -n "$expected" ] && break
    done
    IFS=$OLDIFS
    [ -n "$expected" ] || { fail "no sha256 for $asset in the release checksum files ($4)"; return 1; }
  fi
  actual=$(sha256 "$stage/$asset")
  [ "$actual" = "$expected" ] || { fail "checksum mismatch for $asset: expected $expected ($source), got $actual"; return 1; }
  mv "$stage/$asset" "$stage/cli-plugins/docker-$name" && chmod 0755 "$stage/cli-plugins/docker-$name"
  why=$(verify "$stage" "$name" "$version"); [ -z "$why" ] || { fail "staged binary rejected: $why"; return 1; }
  why=$(compatible "$name"); [ -z "$why" ] || { fail "incompatible: $why"; return 1; }

  # Swap: keep the previous binary, then rename the new one over it (atomic).
  mkdir -p "$INSTALL_DIR" "$STATE_DIR/previous" || { fail "cannot create $INSTALL_DIR"; return 1; }
  had_previous=0
  if [ -e "$target" ] || [ -L "$target" ]; then
    if ! { cp -P -p "$target" "$STATE_DIR/previous/.docker-$name.tmp" && mv -f "$STATE_DIR/previous/.docker-$name.tmp" "$STATE_DIR/previous/docker-$name"; }; then fail "cannot keep the previous binary"; return 1; fi
    had_previous=1
  fi
  if ! { cp -p "$stage/cli-plugins/docker-$name" "$INSTALL_DIR/.docker-$name.new" && sync_file "$INSTALL_DIR/.docker-$name.new" && mv -f "$INSTALL_DIR/.docker-$name.new" "$target"; }; then
    rm -f "$INSTALL_DIR/.docker-$name.new"; fail "swap failed"; return 1
  fi

  cfg=$(mktemp -d "$STAGING/cfg.XXXXXX"); mkdir -p "$cfg/cli-plugins"; ln -s "$target" "$cfg/cli-plugins/docker-$name"
  why=$(verify "$cfg" "$name" "$version"); rm -rf "$cfg"
  if [ -n "$why" ]; then
    history "$action" "$name" "$from" "$version" failed "post-swap verification: $why"
    if [ "$had_previous" = 1 ]; then
      cp -P -p "$STATE_DIR/previous/docker-$name" "$INSTALL_DIR/.docker-$name.rollback" && mv -f "$INSTALL_DIR/.docker-$name.rollback" "$target"
    else
      mkdir -p "$STATE_DIR/failed" && mv -f "$target" "$STATE_DIR/failed/docker-$name-$version"
    fi
    rc=$?
    if [ "$rc" -eq 0 ]; then history rollback "$name" "$version" "$from" ok "post-swap verification: $why"
    else history rollback "$name" "$version" "$from" failed "could not restore the previous binary"; fi
    log "$name $version: post-swap verification failed ($why); rolled back"; rm -rf "$stage"; return 1
  fi
  history "$action" "$name" "$from" "$version" ok ""
  log "$name: ${from:-none} -> $version"
  rm -rf "$stage"
  warn_if_shadowed "$name" "$target"
}

# An earlier search directory (e.g. ~/.docker/cli-plugins) would still win over what we installed.
warn_if_shadowed() {
  winner=$(PLUGIN_AUDIT_ENGINE=off sh "$AUDIT" --format tsv | awk -F '\t' -v n="$1" '$3 == n && $1 != "shadowed" { print $2; exit }')
  if [ -n "$winner" ] && [ "$winner" != "$2" ]; then
    log "warning: $2 is shadowed by $winner, which \`docker $1\` runs instead; quarantine or remove it"
  fi
}

# Data reaches the disk before the rename that publishes it.
sync_file() { sync -- "$1" 2>/dev/null || sync; }

# Temp files of this run, or of one that was killed: staging, half-written copies.
cleanup() {
  rm -rf "$STAGING"
  [ -d "$INSTALL_DIR" ] && find "$INSTALL_DIR" -maxdepth 1 \( -name '.docker-*.new' -o -name '.docker-*.rollback' \) -exec rm -f {} +
  [ -d "$STATE_DIR/previous" ] && find "$STATE_DIR/previous" -maxdepth 1 -name '.docker-*.tmp' -exec rm -f {} +
  return 0
}

# One run at a time (a deploy and an operator, say). flock: the kernel drops
# the lock when its holder dies, so a crash never blocks later runs.
LOCK="$STATE_DIR/install.lock"
if ! err=$(mkdir -p "$STATE_DIR" 2>&1); then log "cannot create the state directory $STATE_DIR: ${err##*: } (run as root, or set PLUGIN_STATE_DIR)"; exit 77; fi
if ! err=$( { : >>"$LOCK"; } 2>&1); then log "cannot open the lock file $LOCK for writing: ${err##*: } (run as root, or fix the permissions of $STATE_DIR)"; exit 77; fi
command -v flock >/dev/null 2>&1 || { log "flock (util-linux) is required"; exit 1; }
exec 9>>"$LOCK"
if ! flock -n 9; then log "another run holds $LOCK (it is released when that run exits)"; exit 75; fi
# The lock directory of older versions of this script, left by a crash.
[ -d "$STATE_DIR/.install.lock" ] && rmdir "$STATE_DIR/.install.lock" 2>/dev/null
cleanup
mkdir -p "$STAGING" || { log "cannot create $STAGING"; exit 77; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failed=0
OLDIFS=$IFS; IFS=$NL
for line in $PLUGINS; do
  IFS=$OLDIFS
  # shellcheck disable=SC2086 # fields are space-separated by design
  set -- $line
  if [ $# -eq 5 ]; then set -- "$@" -; fi
  if [ $# -ne 6 ]; then log "bad PLUGINS line: $line"; failed=$((failed + 1)); IFS=$NL; continue; fi
  install_one "$@" || failed=$((failed + 1))
  IFS=$NL
done
IFS=$OLDIFS
[ "$failed" -eq 0 ] || { log "$failed plugin(s) failed; see $HISTORY"; exit 1; }
