#!/bin/sh
# plugin-install.sh: installs or updates the pinned Docker CLI plugins, safely.
# For each plugin: download → verify the release checksum → check it is a
# binary for this machine → metadata call (SchemaVersion, Vendor, pinned
# Version) → `docker <plugin> version` smoke test → compatibility checks →
# atomic swap keeping the previous binary → post-swap verification → roll back
# on failure. Every install, update and rollback is appended to a JSON-lines
# history. A plugin already at its pinned version is left alone.
#
# Usage: sh plugin-install.sh
# Environment (defaults rendered by PluginSet):
#   PLUGINS                  lines "name version asset checksum-files base-url"
#                            ({version} {arch} {uarch} {asset} placeholders)
#   PLUGIN_INSTALL_DIR       where plugins go
#   PLUGIN_STATE_DIR         staging/, previous/ and failed/ live here
#   HISTORY_LOG              JSON-lines history
#   PLUGIN_DOWNLOAD_BASE_URL mirror for every plugin ({name} {version} allowed)
#   PLUGIN_ARCH              amd64|arm64 (default: from uname -m)
#   DOCKER_BIN               docker CLI for smoke tests (default docker)
#   PLUGIN_AUDIT             audit script (default: plugin-audit.sh beside this one)
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

fetch() {
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
  else log "neither curl nor wget found"; return 1; fi
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
  cfg=$(mktemp -d) || return 1
  printf '{"cliPluginsExtraDirs":["%s"]}\n' "$(esc "$1")" >"$cfg/config.json"
  audit_one "$cfg" "$2"
  rm -rf "$cfg"
}

# install_one NAME VERSION ASSET CHECKSUMS BASE
install_one() {
  name=$1 version=$2
  asset=$(subst "$3" "$name" "$version" "")
  base=$(subst "${PLUGIN_DOWNLOAD_BASE_URL:-$5}" "$name" "$version" "$asset")
  target="$INSTALL_DIR/docker-$name"
  current=$(audit_one_dir "$INSTALL_DIR" "$name")
  from=""; [ "$(printf '%s' "$current" | cut -f1)" = valid ] && from=$(printf '%s' "$current" | cut -f3)
  if [ -n "$from" ] && [ "$(strip_v "$from")" = "$(strip_v "$version")" ]; then
    log "$name $version already installed"; warn_if_shadowed "$name" "$target"; return 0
  fi
  if [ -e "$target" ] || [ -L "$target" ]; then action=update; else action=install; fi
  stage="$STATE_DIR/staging/$name-$version"
  { rm -rf "$stage" && mkdir -p "$stage/cli-plugins"; } || { history "$action" "$name" "$from" "$version" failed "cannot create $stage"; return 1; }
  fail() { history "$action" "$name" "$from" "$version" failed "$1"; log "$name $version: $1; $target left as it was"; rm -rf "$stage"; return 1; }

  fetch "$base/$asset" "$stage/$asset" || { fail "download of $base/$asset failed"; return 1; }
  if LC_ALL=C head -c 512 "$stage/$asset" | tr -d ' \t\r\n' | grep -qi '^<'; then fail "downloaded $asset is an HTML page, not a plugin binary"; return 1; fi
  expected=""
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
  actual=$(sha256 "$stage/$asset")
  [ "$actual" = "$expected" ] || { fail "checksum mismatch for $asset: expected $expected, got $actual"; return 1; }
  mv "$stage/$asset" "$stage/cli-plugins/docker-$name" && chmod 0755 "$stage/cli-plugins/docker-$name"
  why=$(verify "$stage" "$name" "$version"); [ -z "$why" ] || { fail "staged binary rejected: $why"; return 1; }
  why=$(compatible "$name"); [ -z "$why" ] || { fail "incompatible: $why"; return 1; }

  # Swap: keep the previous binary, then rename the new one over it (atomic).
  mkdir -p "$INSTALL_DIR" "$STATE_DIR/previous" || { fail "cannot create $INSTALL_DIR"; return 1; }
  had_previous=0
  if [ -e "$target" ] || [ -L "$target" ]; then
    if ! cp -P -p "$target" "$STATE_DIR/previous/docker-$name"; then fail "cannot keep the previous binary"; return 1; fi
    had_previous=1
  fi
  if ! { cp -p "$stage/cli-plugins/docker-$name" "$INSTALL_DIR/.docker-$name.new" && mv -f "$INSTALL_DIR/.docker-$name.new" "$target"; }; then
    rm -f "$INSTALL_DIR/.docker-$name.new"; fail "swap failed"; return 1
  fi

  cfg=$(mktemp -d); mkdir -p "$cfg/cli-plugins"; ln -s "$target" "$cfg/cli-plugins/docker-$name"
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

# One run at a time (a deploy and an operator, say); a stale lock after a crash is removed by hand.
LOCK="$STATE_DIR/.install.lock"
if ! { mkdir -p "$STATE_DIR" && mkdir "$LOCK" 2>/dev/null; }; then log "another run holds $LOCK (remove it if no run is active)"; exit 75; fi
trap 'rmdir "$LOCK"' EXIT
trap 'exit 130' INT TERM

failed=0
OLDIFS=$IFS; IFS=$NL
for line in $PLUGINS; do
  IFS=$OLDIFS
  # shellcheck disable=SC2086 # fields are space-separated by design
  set -- $line
  if [ $# -ne 5 ]; then log "bad PLUGINS line: $line"; failed=$((failed + 1)); IFS=$NL; continue; fi
  install_one "$@" || failed=$((failed + 1))
  IFS=$NL
done
IFS=$OLDIFS
[ "$failed" -eq 0 ] || { log "$failed plugin(s) failed; see $HISTORY"; exit 1; }
