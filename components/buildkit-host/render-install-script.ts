import type { Arch } from "../../lib/versions";
import { COMMON_FUNCTIONS, commonParameters, parameters, SCRIPT_HEADER, type ScriptContext } from "./render-script-common";
import type { ManagedFile } from "./managed-files";

export interface InstallScriptOptions extends ScriptContext {
  readonly downloadBaseUrl: string;
  /** "auto" detects the host's architecture with uname -m. */
  readonly arch: "auto" | Arch;
  /** Expected tarball digests; without one the release's provenance.json subject digest is used. */
  readonly sha256: Readonly<Partial<Record<Arch, string>>>;
  readonly files: readonly ManagedFile[];
}

/**
 * install.sh: download + verify + unpack the pinned release into its own directory, stage config and units,
 * switch atomically, restart only when something changed, verify, and roll back on a failed check.
 */
export function renderInstallScript(options: InstallScriptOptions): string {
  const fileTable = options.files.map((f) => `${f.name}|${f.target}|${f.mode}|${f.daemonOwned ? "daemon" : "root"}`).join("\n");
  return `#!/bin/sh
${SCRIPT_HEADER}
# Installs or upgrades BuildKit ${options.version}. Re-running with nothing changed changes and restarts nothing.
set -eu
SCRIPT=buildkit-install
ROOT="\${ROOT:-}"
${parameters([
  ...commonParameters(options),
  ["BASE_URL", options.downloadBaseUrl],
  ["ARCH", options.arch],
  ["SHA256_AMD64", options.sha256.amd64 ?? ""],
  ["SHA256_ARM64", options.sha256.arm64 ?? ""],
  ["SOCKET_GROUP", options.host.buildkitd.grpc.socketGroup],
  ["GROUPADD", "groupadd"],
  ["CHOWN", "chown"],
])}
HOST_MACHINE="\${HOST_MACHINE:-$(uname -m)}"
${COMMON_FUNCTIONS}

# name|target|mode|owner of every file Pulumi staged; rollback restores the same list.
managed_files() {
  cat <<'FILES'
${fileTable}
FILES
}

detect_arch() {
  case "$HOST_MACHINE" in
    x86_64|amd64) echo amd64 ;;
    aarch64|arm64) echo arm64 ;;
    *) fail "unsupported architecture \\"$HOST_MACHINE\\" (buildfarm:hosts[].arch supports amd64, arm64)" ;;
  esac
}

# The tarball's digest from the subject list of the release's SLSA provenance: the subject named like the
# tarball, or the only subject there is.
provenance_digest() {
  subjects="$(tr -d ' \\n\\t\\r' < "$1" | sed -n 's/.*"subject":\\[\\([^]]*\\)\\].*/\\1/p' | sed 's/},{"/}\\n{"/g')"
  named="$(printf '%s\\n' "$subjects" | grep -F "\\"name\\":\\"$2\\"" | grep -o '"sha256":"[a-f0-9]\\{64\\}"' | cut -d '"' -f 4)"
  if [ -n "$named" ]; then echo "$named"; return; fi
  all="$(printf '%s\\n' "$subjects" | grep -o '"sha256":"[a-f0-9]\\{64\\}"' | cut -d '"' -f 4)"
  if [ "$(printf '%s\\n' "$all" | grep -c .)" = 1 ]; then echo "$all"; fi
}

current_version() {
  if [ -L "$ROOT$INSTALL_DIR/current" ]; then basename "$(readlink "$ROOT$INSTALL_DIR/current")"; fi
}

# Atomic link switch: a new link next to the old one, then rename over it.
switch_link() {
  ln -sfn "$1" "$2.tmp.$$"
  mv -fT "$2.tmp.$$" "$2"
}

fetch_release() {
  tarball="buildkit-$VERSION.linux-$arch.tar.gz"
  url="$BASE_URL/$VERSION/$tarball"
  case "$arch" in
    amd64) expected="$SHA256_AMD64" ;;
    arm64) expected="$SHA256_ARM64" ;;
  esac
  log "downloading $url"
  curl -fsSL --retry 2 -o "$work/$tarball" "$url" || fail "download failed: $url"
  if [ -z "$expected" ]; then
    curl -fsSL --retry 2 -o "$work/provenance.json" "$url.provenance.json" || fail "download failed: $url.provenance.json (set buildfarm:buildkit.sha256.$arch for mirrors without provenance)"
    expected="$(provenance_digest "$work/provenance.json" "$tarball")"
    [ -n "$expected" ] || fail "no sha256 subject in $url.provenance.json"
  fi
  actual="$(sha256sum "$work/$tarball" | cut -d ' ' -f 1)"
  [ "$actual" = "$expected" ] || fail "checksum mismatch for $tarball: expected $expected, got $actual; nothing was changed"
  mkdir -p "$work/unpacked"
  tar -xzf "$work/$tarball" -C "$work/unpacked" || fail "cannot unpack $tarball; nothing was changed"
  for binary in buildkitd buildctl; do
    [ -x "$work/unpacked/bin/$binary" ] || fail "$tarball has no executable bin/$binary; nothing was changed"
  done
  mkdir -p "$ROOT$INSTALL_DIR"
  rm -rf "$ROOT$INSTALL_DIR/.partial-$VERSION"
  mv "$work/unpacked" "$ROOT$INSTALL_DIR/.partial-$VERSION"
  : > "$ROOT$INSTALL_DIR/.partial-$VERSION/.complete"
  mv "$ROOT$INSTALL_DIR/.partial-$VERSION" "$ROOT$INSTALL_DIR/$VERSION"
}

# Copies the live files and the current version aside so a failed verification can restore them.
snapshot() {
  rm -rf "$ROOT$BACKUP_DIR"
  mkdir -p "$ROOT$BACKUP_DIR/files"
  current_version > "$ROOT$BACKUP_DIR/version"
  managed_files | while IFS='|' read -r name target _mode _owner; do
    if [ -f "$ROOT$target" ]; then cp -p "$ROOT$target" "$ROOT$BACKUP_DIR/files/$name"; fi
  done
}

# install_file SOURCE TARGET MODE OWNER: written beside the target, then renamed over it.
install_file() {
  mkdir -p "$(dirname "$ROOT$2")"
  cp "$1" "$ROOT$2.tmp.$$"
  chmod "$3" "$ROOT$2.tmp.$$"
  if [ "$4" = daemon ] && [ "$ROOTLESS" = 1 ]; then $CHOWN "$ROOTLESS_USER" "$ROOT$2.tmp.$$"; fi
  mv -f "$ROOT$2.tmp.$$" "$ROOT$2"
}

link_binaries() {
  mkdir -p "$ROOT$BIN_DIR"
  for binary in "$ROOT$INSTALL_DIR/current/bin/"*; do
    name="$(basename "$binary")"
    want="$ROOT$INSTALL_DIR/current/bin/$name"
    if [ "$(readlink "$ROOT$BIN_DIR/$name" 2>/dev/null || true)" != "$want" ]; then switch_link "$want" "$ROOT$BIN_DIR/$name"; fi
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

rollback() {
  log "rolling back to \${previous:-nothing}"
  managed_files | while IFS='|' read -r name target mode owner; do
    if [ -f "$ROOT$BACKUP_DIR/files/$name" ]; then install_file "$ROOT$BACKUP_DIR/files/$name" "$target" "$mode" "$owner"; else rm -f "$ROOT$target"; fi
  done
  if [ -n "$previous" ]; then
    switch_link "$previous" "$ROOT$INSTALL_DIR/current"
    restart_services || log "restart after rollback failed"
  else
    rm -f "$ROOT$INSTALL_DIR/current"
    # shellcheck disable=SC2046
    daemonctl stop $(daemon_units) || true
  fi
}

if [ "$ROOTLESS" = 1 ]; then sh "$ROOT$STAGING_DIR/check-rootless.sh" || fail "rootless prerequisites missing (see above); nothing was changed"; fi
arch="$ARCH"
detected="$(detect_arch)"
if [ "$arch" = auto ]; then arch="$detected"; fi
[ "$arch" = "$detected" ] || fail "host architecture is $detected but buildfarm:hosts[].arch says $arch; nothing was changed"

if [ "$ROOTLESS" = 1 ]; then
  # The rootless daemon writes its cache as its own user; its socket lives under /run/user/<uid>.
  rootless_uid="$(id -u "$ROOTLESS_USER")" || fail "user $ROOTLESS_USER does not exist; nothing was changed"
  printf 'BUILDCTL_ADDR=unix:///run/user/%s/buildkit/buildkitd.sock\n' "$rootless_uid" > "$ROOT$STAGING_DIR/exporter.env"
  install -d -m 0700 -o "$ROOTLESS_USER" "$ROOT$CACHE_DIR"
fi

work="$(mktemp -d "\${TMPDIR:-/tmp}/buildkit-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [ ! -f "$ROOT$INSTALL_DIR/$VERSION/.complete" ]; then fetch_release; fi

previous="$(current_version)"
changed=0
[ "$previous" = "$VERSION" ] || changed=1
if [ "$changed" = 0 ]; then
  while IFS='|' read -r name target _mode _owner; do
    if ! cmp -s "$ROOT$STAGING_DIR/$name" "$ROOT$target"; then changed=1; fi
  done <<FILES
$(managed_files)
FILES
fi

if [ "$changed" = 0 ]; then
  log "BuildKit $VERSION and its configuration are already in place; nothing changed"
  sh "$ROOT$STAGING_DIR/verify.sh"
  exit 0
fi

# The Unix socket is 0660 root:$SOCKET_GROUP; members of the group may drive the daemon.
if [ "$ROOTLESS" = 0 ] && ! grep -q "^$SOCKET_GROUP:" "$ROOT/etc/group" 2>/dev/null; then
  if [ -n "$ROOT" ]; then $GROUPADD --system --prefix "$ROOT" "$SOCKET_GROUP"; else $GROUPADD --system "$SOCKET_GROUP"; fi
fi
snapshot
managed_files | while IFS='|' read -r name target mode owner; do
  [ -f "$ROOT$STAGING_DIR/$name" ] || fail "staged file $name is missing"
  install_file "$ROOT$STAGING_DIR/$name" "$target" "$mode" "$owner"
done
if [ "$previous" != "$VERSION" ]; then
  if [ -n "$previous" ]; then switch_link "$previous" "$ROOT$INSTALL_DIR/previous"; fi
  switch_link "$VERSION" "$ROOT$INSTALL_DIR/current"
fi
link_binaries
restart_services

if ! sh "$ROOT$STAGING_DIR/verify.sh"; then
  rollback
  fail "verification of BuildKit $VERSION failed (see the failed check above); restored \${previous:-an empty host}"
fi

# Keep the running version and the one before it; older ones go.
for dir in "$ROOT$INSTALL_DIR"/v*; do
  [ -d "$dir" ] || continue
  name="$(basename "$dir")"
  if [ "$name" != "$VERSION" ] && [ "$name" != "$previous" ] && [ "$name" != "$(basename "$(readlink "$ROOT$INSTALL_DIR/previous" 2>/dev/null || echo none)")" ]; then rm -rf "$dir"; fi
done
log "BuildKit $VERSION installed and verified (previous: \${previous:-none})"
`;
}
