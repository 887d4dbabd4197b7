# Shared by every BuildKit host script (rendered in at #@COMMON@).
log() { printf '%s: %s\n' "$SCRIPT" "$*" >&2; }
fail() { printf '%s: ERROR: %s\n' "$SCRIPT" "$*" >&2; exit 1; }

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
}
