#!/bin/sh
# plugin-health.sh: writes the plugin audit as node_exporter textfile-collector
# metrics (docker_cli_plugin_info{name,version,status,...} 1,
# docker_cli_plugins_invalid, docker_cli_plugins_shadowed). The file is
# replaced atomically so node_exporter never reads half of it. Changes nothing
# else; run it from a timer or after every install.
#
# Usage: sh plugin-health.sh
# Environment:
#   TEXTFILE_DIR   node_exporter --collector.textfile.directory
#   PLUGIN_AUDIT   audit script (default: plugin-audit.sh beside this one)
#   plus DOCKER_CONFIG / PLUGIN_SYSTEM_DIRS, passed on to the audit.
set -u
#@SETTINGS@
TEXTFILE_DIR="${TEXTFILE_DIR:-/var/lib/prometheus/node-exporter}"
HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
AUDIT="${PLUGIN_AUDIT:-$HERE/plugin-audit.sh}"
OUT="$TEXTFILE_DIR/docker_cli_plugins.prom"

mkdir -p "$TEXTFILE_DIR" || exit 1
tmp=$(mktemp "$TEXTFILE_DIR/.docker_cli_plugins.prom.XXXXXX") || exit 1
if sh "$AUDIT" --format prom >"$tmp"; then
  chmod 0644 "$tmp" && mv -f "$tmp" "$OUT"
else
  rm -f "$tmp"; echo "plugin-health: audit failed; $OUT left as it was" >&2; exit 1
fi
