#!/bin/sh
# Installs Prometheus node_exporter on a builder host: a pinned release, checksum-verified before
# anything is unpacked, its own systemd unit with resource limits and the textfile collector (plugin
# metrics). Idempotent: an installed binary of the pinned version is kept. Parameters come from the
# environment; the rendered copy sets them below the marker (the environment still overrides).
# @@SETTINGS@@
set -eu
SCRIPT=install-node-exporter
ROOT="${ROOT:-}"
: "${NODE_EXPORTER_VERSION:?}" "${NODE_EXPORTER_SHA256_AMD64:?}" "${NODE_EXPORTER_SHA256_ARM64:?}"
BASE_URL="${BASE_URL:-https://github.com/prometheus/node_exporter/releases/download}"
BIN_DIR="${BIN_DIR:-/usr/local/bin}"
UNIT_DIR="${UNIT_DIR:-/etc/systemd/system}"
STAGING_DIR="${STAGING_DIR:-/var/lib/buildfarm/node-exporter/staging}"
TEXTFILE_DIR="${TEXTFILE_DIR:-/var/lib/prometheus/node-exporter}"
UNIT_FILE="${UNIT_FILE:?path of the rendered unit to install}"
EXISTING="${EXISTING:-0}"
SYSTEMCTL="${SYSTEMCTL:-systemctl}"
CURL="${CURL:-curl}"
ARCH="${ARCH:-$(uname -m)}"

log() { printf '%s: %s\n' "$SCRIPT" "$*" >&2; }
fail() { printf '%s: ERROR: %s\n' "$SCRIPT" "$*" >&2; exit 1; }

if [ "$EXISTING" = 1 ]; then
  log "told a node_exporter already runs on this host: not installing (it must read $TEXTFILE_DIR)"
  exit 0
fi

case "$ARCH" in
  x86_64|amd64) arch=amd64; sha256="$NODE_EXPORTER_SHA256_AMD64" ;;
  aarch64|arm64) arch=arm64; sha256="$NODE_EXPORTER_SHA256_ARM64" ;;
  *) fail "no pinned node_exporter for architecture $ARCH" ;;
esac

name="node_exporter-$NODE_EXPORTER_VERSION.linux-$arch"
binary="$ROOT$BIN_DIR/node_exporter"
mkdir -p "$ROOT$TEXTFILE_DIR" "$ROOT$UNIT_DIR" "$ROOT$BIN_DIR"
chmod 0755 "$ROOT$TEXTFILE_DIR"

if [ -x "$binary" ] && "$binary" --version 2>&1 | grep -q "version $NODE_EXPORTER_VERSION "; then
  log "node_exporter $NODE_EXPORTER_VERSION already installed"
else
  staging="$ROOT$STAGING_DIR"
  rm -rf "$staging"
  mkdir -p "$staging"
  log "downloading $name"
  "$CURL" --fail --silent --show-error --location --max-time 300 --retry 3 \
    -o "$staging/$name.tar.gz" "$BASE_URL/v$NODE_EXPORTER_VERSION/$name.tar.gz" || fail "download of $name failed"
  printf '%s  %s\n' "$sha256" "$staging/$name.tar.gz" | sha256sum -c - >/dev/null 2>&1 \
    || fail "checksum mismatch for $name.tar.gz (expected sha256 $sha256): refusing to install"
  tar -xzf "$staging/$name.tar.gz" -C "$staging" "$name/node_exporter"
  install -m 0755 "$staging/$name/node_exporter" "$binary.new"
  mv -f "$binary.new" "$binary"
  rm -rf "$staging"
fi

install -m 0644 "$UNIT_FILE" "$ROOT$UNIT_DIR/node-exporter.service.new"
mv -f "$ROOT$UNIT_DIR/node-exporter.service.new" "$ROOT$UNIT_DIR/node-exporter.service"
$SYSTEMCTL daemon-reload
$SYSTEMCTL enable node-exporter.service
$SYSTEMCTL restart node-exporter.service
log "node_exporter $NODE_EXPORTER_VERSION running (textfile collector: $TEXTFILE_DIR)"
