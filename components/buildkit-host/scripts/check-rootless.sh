#!/bin/sh
# Managed by the buildfarm Pulumi program (BuildkitHost). Runs as root; every path is under $ROOT.
# Checks what rootless BuildKit needs before anything is installed; reports every missing piece at once.
set -u
SCRIPT=buildkit-rootless-check
ROOT="${ROOT:-}"
#@PARAMETERS@
problems=0
problem() { printf '%s: missing: %s\n' "$SCRIPT" "$*" >&2; problems=$((problems + 1)); }

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
  printf '%s: %s rootless prerequisite(s) missing for %s\n' "$SCRIPT" "$problems" "$ROOTLESS_USER" >&2
  exit 1
fi
printf '%s: rootless prerequisites present for %s\n' "$SCRIPT" "$ROOTLESS_USER" >&2
