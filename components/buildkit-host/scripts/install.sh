#!/bin/sh
# Managed by the buildfarm Pulumi program (BuildkitHost). Runs as root; every path is under $ROOT.
# The apply step. BuildKit and its configuration are one release: a directory releases/<version>-<hash>
# holding the binaries, buildkitd.toml, units, drop-ins, TLS files and scripts, staged in full, fsynced,
# and switched with one rename of the `current` link. Every managed path (units, config, keys, binaries)
# is a link into `current`, so systemd and buildkitd see the old release or the new one, never a mix.
# A journal records "switched, not yet verified"; any later run finishes that work first.
# Result: exit 0 and "result: verified <release>", or exit 1 and "result: ..." saying what is running.
set -eu
SCRIPT=buildkit-apply
ROOT="${ROOT:-}"
#@PARAMETERS@
HOST_MACHINE="${HOST_MACHINE:-$(uname -m)}"
#@COMMON@

PAYLOAD_MARKER=__BUILDFARM_RELEASE_PAYLOAD__
RELEASES="$ROOT$INSTALL_DIR/releases"
CURRENT="$ROOT$INSTALL_DIR/current"
JOURNAL="$ROOT$STATE_DIR/journal"
stage=""
scratch=""

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ -n "$stage" ]; then rm -rf "$stage"; fi
  if [ -n "$scratch" ]; then rm -rf "$scratch"; fi
  rm -f "$CURRENT.tmp.$$" "$JOURNAL.tmp.$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A file this script carries after the payload marker, as `@file NAME` + base64 lines.
payload_file() {
  sed -n "/^$PAYLOAD_MARKER\$/,\$p" "$0" | awk -v name="$1" '/^@file /{ on = ($2 == name); next } on { print }' | base64 -d
}

detect_arch() {
  case "$HOST_MACHINE" in
    x86_64|amd64) echo amd64 ;;
    aarch64|arm64) echo arm64 ;;
    *) fail "unsupported architecture \"$HOST_MACHINE\" (buildfarm:hosts[].arch supports amd64, arm64); nothing was changed" ;;
  esac
}

# fsync files and directories (coreutils sync with arguments fsyncs exactly those).
sync_paths() { sync -- "$@" 2>/dev/null || sync; }

write_journal() {
  printf '%s %s %s\n' "$1" "$2" "$3" > "$JOURNAL.tmp.$$"
  sync_paths "$JOURNAL.tmp.$$"
  mv -f "$JOURNAL.tmp.$$" "$JOURNAL"
  sync_paths "$ROOT$STATE_DIR"
}

current_release() {
  if [ -L "$CURRENT" ]; then basename "$(readlink "$CURRENT")"; else echo -; fi
}

# The one switch: a new link beside `current`, renamed over it.
switch_to() {
  if [ "$1" = - ]; then
    rm -f "$CURRENT"
  else
    ln -sfn "releases/$1" "$CURRENT.tmp.$$"
    mv -fT "$CURRENT.tmp.$$" "$CURRENT"
  fi
  sync_paths "$ROOT$INSTALL_DIR"
}

# Bounded download: connect timeout, overall timeout, low-speed abort, DOWNLOAD_ATTEMPTS tries with backoff.
download() {
  attempt=1
  delay="$DOWNLOAD_BACKOFF_SECONDS"
  while :; do
    if curl -fsSL --connect-timeout "$CONNECT_TIMEOUT_SECONDS" --max-time "$MAX_TIME_SECONDS" \
      --speed-limit "$LOW_SPEED_BYTES" --speed-time "$LOW_SPEED_SECONDS" -o "$2" "$1" 2> "$scratch/curl.err"; then
      return 0
    fi
    log "download attempt $attempt/$DOWNLOAD_ATTEMPTS of $1 failed: $(tr '\n' ' ' < "$scratch/curl.err")"
    [ "$attempt" -lt "$DOWNLOAD_ATTEMPTS" ] || return 1
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
  done
}

# The tarball's digest from the release's SLSA provenance (dev only: a mirror's own provenance proves
# integrity against corruption, not authenticity).
provenance_digest() {
  subjects="$(tr -d ' \n\t\r' < "$1" | sed -n 's/.*"subject":\[\([^]]*\)\].*/\1/p' | sed 's/},{"/}\n{"/g')"
  printf '%s\n' "$subjects" | grep -F "\"name\":\"$2\"" | grep -o '"sha256":"[a-f0-9]\{64\}"' | cut -d '"' -f 4 | head -n 1
}

# Binaries into $stage/bin: from a complete release of the same version, or downloaded and checked.
stage_binaries() {
  for existing in "$RELEASES/$VERSION"-*; do
    if [ -f "$existing/.complete" ] && [ -x "$existing/bin/buildkitd" ]; then
      cp -pR "$existing/bin" "$stage/bin"
      return 0
    fi
  done
  tarball="buildkit-$VERSION.linux-$arch.tar.gz"
  url="$BASE_URL/$VERSION/$tarball"
  case "$arch" in
    amd64) expected="$SHA256_AMD64" ;;
    arm64) expected="$SHA256_ARM64" ;;
  esac
  if [ -z "$expected" ]; then
    [ "$REQUIRE_PINNED_DIGEST" != 1 ] || fail "no pinned sha256 for BuildKit $VERSION linux/$arch: pin it in lib/versions.ts (npm run check-versions proposes it) or set buildfarm:buildkit.sha256.$arch; a mirror's provenance is not trusted here; nothing was changed"
  fi
  log "downloading $url"
  download "$url" "$scratch/$tarball" || fail "download failed: $url (mirror unreachable or too slow); the running release was not touched"
  if [ -z "$expected" ]; then
    download "$url.provenance.json" "$scratch/provenance.json" || fail "download failed: $url.provenance.json (set buildfarm:buildkit.sha256.$arch for mirrors without provenance)"
    expected="$(provenance_digest "$scratch/provenance.json" "$tarball")"
    [ -n "$expected" ] || fail "no sha256 subject named $tarball in $url.provenance.json"
    log "WARNING: digest taken from the mirror's provenance (no pin for $VERSION linux/$arch)"
  fi
  actual="$(sha256sum "$scratch/$tarball" | cut -d ' ' -f 1)"
  [ "$actual" = "$expected" ] || fail "checksum mismatch for $tarball: expected $expected, got $actual; nothing was changed"
  mkdir "$scratch/unpacked"
  tar -xzf "$scratch/$tarball" -C "$scratch/unpacked" || fail "cannot unpack $tarball; nothing was changed"
  for binary in buildkitd buildctl; do
    [ -x "$scratch/unpacked/bin/$binary" ] || fail "$tarball has no executable bin/$binary; nothing was changed"
  done
  mv "$scratch/unpacked/bin" "$stage/bin"
  rm -f "$scratch/$tarball"
}

# A complete release directory, fsynced, then renamed into releases/ (one rename: whole or absent).
stage_release() {
  stage="$(mktemp -d "$RELEASES/.stage-XXXXXX")"
  mkdir "$stage/files"
  stage_binaries
  # One pass splits the payload into NAME.b64 files; names are [A-Za-z0-9._-] (checked when rendered).
  sed -n "/^$PAYLOAD_MARKER\$/,\$p" "$0" | awk -v dir="$stage/files" '/^@file /{ if (out != "") close(out); out = dir "/" $2 ".b64"; next } out != "" { print > out }'
  for encoded in "$stage/files/"*.b64; do
    base64 -d < "$encoded" > "${encoded%.b64}"
    rm -f "$encoded"
    chmod 0644 "${encoded%.b64}"
  done
  chmod 0755 "$stage/files/"*.sh
  if [ "$ROOTLESS" = 1 ]; then
    printf 'BUILDCTL_ADDR=unix:///run/user/%s/buildkit/buildkitd.sock\n' "$rootless_uid" > "$stage/files/exporter.env"
  fi
  # Modes are set explicitly (0600 keys) whatever umask or earlier files said.
  printf '%s\n' "$MANAGED_FILES" | while IFS='|' read -r name _target mode owner; do
    [ -n "$name" ] || continue
    [ -f "$stage/files/$name" ] || fail "release payload has no $name"
    chmod "$mode" "$stage/files/$name"
    if [ "$owner" = daemon ] && [ "$ROOTLESS" = 1 ]; then $CHOWN "$ROOTLESS_USER" "$stage/files/$name"; fi
  done
  printf '%s\n' "$release" > "$stage/.complete"
  chmod 0755 "$stage"
  find "$stage" -type f -exec sync -- {} +
  sync_paths "$stage" "$stage/files" "$stage/bin"
  rm -rf "${RELEASES:?}/$release"
  mv "$stage" "$RELEASES/$release"
  stage=""
  sync_paths "$RELEASES"
}

# link PATH TARGET: PATH becomes a link to TARGET (a new link renamed over the old path).
link() {
  if [ "$(readlink "$1" 2>/dev/null || true)" != "$2" ]; then
    mkdir -p "$(dirname "$1")"
    ln -sfn "$2" "$1.tmp.$$"
    mv -fT "$1.tmp.$$" "$1"
  fi
}

# Every managed path is a link into `current`: the links stay the same across releases.
ensure_links() {
  printf '%s\n' "$MANAGED_FILES" | while IFS='|' read -r name target _mode _owner; do
    if [ -n "$name" ]; then link "$ROOT$target" "$ROOT$INSTALL_DIR/current/files/$name"; fi
  done
  mkdir -p "$ROOT$BIN_DIR"
  for binary in "$RELEASES/$1/bin/"*; do
    link "$ROOT$BIN_DIR/$(basename "$binary")" "$ROOT$INSTALL_DIR/current/bin/$(basename "$binary")"
  done
}

remove_links() {
  printf '%s\n' "$MANAGED_FILES" | while IFS='|' read -r name target _mode _owner; do
    if [ -n "$name" ] && [ -L "$ROOT$target" ]; then rm -f "$ROOT$target"; fi
  done
  for binary in "$ROOT$BIN_DIR"/*; do
    case "$(readlink "$binary" 2>/dev/null || true)" in
      "$ROOT$INSTALL_DIR"/*) rm -f "$binary" ;;
    esac
  done
}

# Leftovers of runs that died: stage directories, half-made links, journal temp files.
remove_leftovers() {
  rm -rf "$RELEASES"/.stage-*
  rm -f "$CURRENT".tmp.* "$JOURNAL".tmp.* "$ROOT$BIN_DIR"/*.tmp.*
  printf '%s\n' "$MANAGED_FILES" | while IFS='|' read -r name target _mode _owner; do
    if [ -n "$name" ]; then rm -f "$ROOT$target".tmp.*; fi
  done
}

restart_services() {
  $SYSTEMCTL daemon-reload
  if [ "$ROOTLESS" = 1 ]; then
    $LOGINCTL enable-linger "$ROOTLESS_USER"
    daemonctl daemon-reload
  fi
  # shellcheck disable=SC2046 # daemon_units prints unit names
  daemonctl enable $(daemon_units)
  # shellcheck disable=SC2046
  daemonctl restart $(daemon_units)
  if [ -f "$ROOT$EXPORTER_SCRIPT" ]; then
    $SYSTEMCTL enable buildkit-insights-exporter.service
    $SYSTEMCTL restart buildkit-insights-exporter.service
  else
    log "exporter program $EXPORTER_SCRIPT not installed; buildkit-insights-exporter.service left stopped"
  fi
}

verify_release() { sh "$RELEASES/$1/files/verify.sh"; }

# roll_back NEW OLD: back to OLD (or to an empty host), journaled so a crash here is finished next run.
roll_back() {
  write_journal rolling-back "$1" "$2"
  if [ "$2" = - ]; then
    log "rolling back to an empty host"
    # shellcheck disable=SC2046
    daemonctl stop $(daemon_units) || true
    remove_links
    switch_to -
    $SYSTEMCTL daemon-reload || true
    rm -f "$JOURNAL"
    return 0
  fi
  log "rolling back to $2"
  ensure_links "$2"
  switch_to "$2"
  restart_services || log "restart after rollback failed"
  if verify_release "$2"; then
    write_journal verified "$2" -
  else
    log "the previous release $2 fails its checks too; it is in place but unverified"
    write_journal unverified "$2" -
  fi
}

# Finishes what a run that died left: a switch not yet verified, or a rollback half done.
recover() {
  [ -f "$JOURNAL" ] || return 0
  read -r state new old < "$JOURNAL" || return 0
  case "$state" in
    switched)
      if [ "$(current_release)" != "$new" ]; then
        log "an earlier run died before switching to $new; $old is still in place"
        write_journal verified "$old" -
      elif restart_services && verify_release "$new"; then
        log "finished an interrupted switch: $new verified"
        write_journal verified "$new" -
      else
        log "an interrupted switch to $new fails verification"
        roll_back "$new" "$old"
      fi
      ;;
    rolling-back)
      log "finishing an interrupted rollback from $new to $old"
      roll_back "$new" "$old"
      ;;
  esac
}

arch="$ARCH"
detected="$(detect_arch)"
if [ "$arch" = auto ]; then arch="$detected"; fi
[ "$arch" = "$detected" ] || fail "host architecture is $detected but buildfarm:hosts[].arch says $arch; nothing was changed"
if [ "$REQUIRE_HTTPS" = 1 ]; then
  case "$BASE_URL" in
    https://*) ;;
    *) fail "refusing download mirror $BASE_URL: production mirrors must use https://; nothing was changed" ;;
  esac
fi
# One apply at a time; the kernel drops the lock when its holder dies, so a crash never leaves it stuck.
mkdir -p "$ROOT$STATE_DIR" || fail "cannot create $ROOT$STATE_DIR (the apply step runs as root)"
lock="$ROOT$STATE_DIR/apply.lock"
if ! : >> "$lock" 2> /dev/null; then fail "cannot open the lock file $lock for writing: permission denied (the apply step runs as root)"; fi
exec 9>> "$lock"
flock -w "$LOCK_WAIT_SECONDS" 9 || fail "another apply still holds $lock after ${LOCK_WAIT_SECONDS}s; nothing was changed"
# Holding the lock, anything another apply left in TMPDIR is a leftover of a run that died.
rm -rf "${TMPDIR:-/tmp}"/buildkit-apply.* "${TMPDIR:-/tmp}"/buildkit-verify.*
scratch="$(mktemp -d "${TMPDIR:-/tmp}/buildkit-apply.XXXXXX")"
if [ "$ROOTLESS" = 1 ]; then
  payload_file check-rootless.sh > "$scratch/check-rootless.sh"
  sh "$scratch/check-rootless.sh" || fail "rootless prerequisites missing (see above); nothing was changed"
  # The rootless daemon writes its cache as its own user; its socket lives under /run/user/<uid>.
  rootless_uid="$(id -u "$ROOTLESS_USER")" || fail "user $ROOTLESS_USER does not exist; nothing was changed"
fi
mkdir -p "$RELEASES"
remove_leftovers

recover

release="$VERSION-$(sha256sum < "$0" | cut -c 1-12)"
previous="$(current_release)"
state=""
if [ -f "$JOURNAL" ]; then read -r state _ _ < "$JOURNAL" || true; fi
if [ "$previous" = "$release" ] && [ "$state" = verified ]; then
  log "BuildKit release $release is in place and verified; nothing changed"
  if ! verify_release "$release"; then fail "result: $release is in place but fails its checks now (see above)"; fi
  log "result: verified $release"
  exit 0
fi

if [ ! -f "$RELEASES/$release/.complete" ]; then stage_release; fi
# The Unix socket is 0660 root:$SOCKET_GROUP; members of the group may drive the daemon.
if [ "$ROOTLESS" = 0 ] && ! grep -q "^$SOCKET_GROUP:" "$ROOT/etc/group" 2>/dev/null; then
  if [ -n "$ROOT" ]; then $GROUPADD --system --prefix "$ROOT" "$SOCKET_GROUP"; else $GROUPADD --system "$SOCKET_GROUP"; fi
fi
if [ "$ROOTLESS" = 1 ]; then install -d -m 0700 -o "$ROOTLESS_USER" "$ROOT$CACHE_DIR"; fi

if [ "$previous" != "$release" ]; then
  ensure_links "$release"
  write_journal switched "$release" "$previous"
  switch_to "$release"
  log "switched to $release (previous: $previous)"
fi
# (In place but never verified, after a verification that failed both ways: restart and check again.)
restart_services
if ! verify_release "$release"; then
  if [ "$previous" != "$release" ]; then roll_back "$release" "$previous"; else write_journal unverified "$release" -; fi
  [ "$previous" != - ] || previous="an empty host"
  fail "result: verification of BuildKit $release failed (see the failed check above); restored $previous"
fi
write_journal verified "$release" -

# Keep the running release and the one before it; older ones go.
for dir in "$RELEASES"/*; do
  name="$(basename "$dir")"
  if [ "$name" != "$release" ] && [ "$name" != "$previous" ]; then rm -rf "$dir"; fi
done
log "result: verified $release (previous: $previous)"
exit 0
