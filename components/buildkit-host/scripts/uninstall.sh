#!/bin/sh
# Managed by the buildfarm Pulumi program (BuildkitHost). Runs as root; every path is under $ROOT.
# Removes BuildKit from this host. The cache directory ($CACHE_DIR) is kept unless PURGE_CACHE=1.
set -eu
SCRIPT=buildkit-uninstall
ROOT="${ROOT:-}"
#@PARAMETERS@
#@COMMON@

$SYSTEMCTL disable --now buildkit-insights-exporter.service || log "exporter unit was not active"
# shellcheck disable=SC2046 # daemon_units prints unit names
daemonctl disable --now $(daemon_units) || log "buildkit units were not active"

rm -f "$ROOT$UNIT_DIR/buildkit.service" "$ROOT$UNIT_DIR/buildkit.socket" "$ROOT$UNIT_DIR/buildkit-insights-exporter.service"
rm -f "$ROOT$USER_UNIT_DIR/buildkit.service" "$ROOT$EXPORTER_SCRIPT"
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
rm -rf "${ROOT}${INSTALL_DIR:?}" "${ROOT}${CONFIG_DIR:?}" "${ROOT}${STATE_DIR:?}" "${ROOT}${STAGING_DIR:?}"
if [ "$PURGE_CACHE" = 1 ]; then
  rm -rf "${ROOT}${CACHE_DIR:?}"
  log "removed BuildKit and purged the cache $CACHE_DIR"
else
  log "removed BuildKit; kept the cache $CACHE_DIR (purgeCacheOnDelete is false)"
fi
