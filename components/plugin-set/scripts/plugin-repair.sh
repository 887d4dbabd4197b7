#!/bin/sh
# plugin-repair.sh: moves invalid Docker CLI plugins (and, when configured,
# shadowed duplicates) into a quarantine directory with a manifest. Nothing is
# ever deleted; every move can be undone with `restore`. Idempotent: a second
# run finds nothing to do and changes nothing.
#
# Usage: sh plugin-repair.sh quarantine     move what plugin-audit.sh flags
#        sh plugin-repair.sh restore ID|all  put quarantined plugins back
#        sh plugin-repair.sh list            JSON lines of quarantined items
# Environment:
#   PLUGIN_AUDIT         audit script (default: plugin-audit.sh beside this one)
#   QUARANTINE_DIR       (default /var/lib/buildfarm/plugin-quarantine)
#   QUARANTINE_SHADOWED  1 to quarantine shadowed duplicates too (default 0)
#   HISTORY_LOG          JSON-lines history (default /var/lib/buildfarm/plugins/history.jsonl)
#   plus DOCKER_CONFIG / PLUGIN_SYSTEM_DIRS, passed on to the audit.
set -u
# No globbing of audit output (paths may hold * or ?); globs are enabled where meant.
set -f
#@SETTINGS@

HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
AUDIT="${PLUGIN_AUDIT:-$HERE/plugin-audit.sh}"
QDIR="${QUARANTINE_DIR:-/var/lib/buildfarm/plugin-quarantine}"
QSHADOWED="${QUARANTINE_SHADOWED:-0}"
HISTORY="${HISTORY_LOG:-/var/lib/buildfarm/plugins/history.jsonl}"
TAB=$(printf '\t')
NL='
'

json_escape() {
  LC_ALL=C awk 'BEGIN { for (i = 1; i < 32; i++) ctl[sprintf("%c", i)] = sprintf("\\u%04x", i); ctl["\t"] = "\\t"; ctl["\r"] = "\\r" }
    { line = $0; out = ""
      for (i = 1; i <= length(line); i++) { c = substr(line, i, 1)
        if (c == "\\") out = out "\\\\"; else if (c == "\"") out = out "\\\""; else if (c in ctl) out = out ctl[c]; else out = out c }
      printf "%s%s", (NR > 1 ? "\\n" : ""), out }'
}
esc() { printf '%s' "$1" | json_escape; }
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# history action plugin(escaped) path result reason(escaped)
history() {
  mkdir -p "$(dirname "$HISTORY")" || return 1
  printf '{"time":"%s","action":"%s","plugin":"%s","path":"%s","result":"%s","reason":"%s"}\n' \
    "$(now)" "$1" "$2" "$(esc "$3")" "$4" "$5" >>"$HISTORY"
}

quarantine() {
  failed=0 moved=0 round=0 skip=""
  while [ "$round" -lt 20 ]; do
    round=$((round + 1))
    audit=$(sh "$AUDIT" --format tsv) || { echo "plugin-repair: audit failed" >&2; return 1; }
    targets=""
    OLDIFS=$IFS; IFS=$NL
    for line in $audit; do
      IFS=$TAB read -r status path _ <<EOF
$line
EOF
      case "$status" in
        invalid) ;;
        shadowed) [ "$QSHADOWED" = 1 ] || continue ;;
        *) continue ;;
      esac
      case "$NL$skip$NL" in *"$NL$path$NL"*) continue ;; esac
      targets="$targets$line$NL"
    done
    IFS=$OLDIFS
    [ -n "$targets" ] || break
    IFS=$NL
    for line in $targets; do
      IFS=$OLDIFS
      IFS=$TAB read -r status path name reason _ <<EOF
$line
EOF
      id="$(date -u +%Y%m%dT%H%M%SZ)-$$-$moved-$round"
      item="$QDIR/items/$id"
      if mkdir -p "$item" && mv -- "$path" "$item/" && printf '%s\n' "$path" >"$item/origin"; then
        moved=$((moved + 1))
        printf '{"id":"%s","name":"%s","path":"%s","status":"%s","reason":"%s","quarantinedAt":"%s"}\n' \
          "$id" "$name" "$(esc "$path")" "$status" "$reason" "$(now)" >>"$QDIR/manifest.jsonl"
        history quarantine "$name" "$path" ok "$reason"
        printf 'quarantined %s (%s) -> %s\n' "$path" "$status" "$item"
      else
        failed=$((failed + 1)); skip="$skip$path$NL"
        rmdir "$item" 2>/dev/null
        history quarantine "$name" "$path" failed "could not move into $(esc "$item")"
        printf 'FAILED to quarantine %s\n' "$path" >&2
      fi
      IFS=$NL
    done
    IFS=$OLDIFS
  done
  printf 'quarantine: %d moved, %d failed\n' "$moved" "$failed"
  [ "$failed" -eq 0 ]
}

restore_one() {
  item=$1; id=${item##*/}
  [ -f "$item/origin" ] || { echo "plugin-repair: no quarantined item $id" >&2; return 1; }
  origin=$(cat "$item/origin")
  file="$item/${origin##*/}"
  if [ -e "$origin" ] || [ -L "$origin" ]; then
    echo "plugin-repair: $origin exists, not overwriting; $id stays quarantined" >&2
    history restore "$(esc "${origin##*/docker-}")" "$origin" failed "target exists"; return 1
  fi
  if ! { mkdir -p "$(dirname "$origin")" && mv -- "$file" "$origin"; }; then
    history restore "$(esc "${origin##*/docker-}")" "$origin" failed "move failed"; return 1
  fi
  rm -f "$item/origin" && rmdir "$item"
  printf '{"id":"%s","action":"restore","path":"%s","restoredAt":"%s"}\n' "$id" "$(esc "$origin")" "$(now)" >>"$QDIR/manifest.jsonl"
  history restore "$(esc "${origin##*/docker-}")" "$origin" ok ""
  printf 'restored %s\n' "$origin"
}

restore() {
  target=${1:-}
  [ -n "$target" ] || { echo "usage: plugin-repair.sh restore ID|all" >&2; return 2; }
  status=0
  if [ "$target" = all ]; then
    set +f
    for item in "$QDIR"/items/*; do
      set -f
      [ -d "$item" ] || continue
      restore_one "$item" || status=1
    done
  else
    case "$target" in */*|.|..) echo "plugin-repair: bad id $target" >&2; return 2 ;; esac
    restore_one "$QDIR/items/$target" || status=1
  fi
  return "$status"
}

list() {
  set +f
  for item in "$QDIR"/items/*; do
    set -f
    [ -f "$item/origin" ] || continue
    printf '{"id":"%s","path":"%s"}\n' "$(esc "${item##*/}")" "$(esc "$(cat "$item/origin")")"
  done
}

# One run at a time, by flock: the kernel drops the lock when its holder dies,
# so a crash never blocks later runs. Exit 77 when the lock cannot be written.
case "${1:-}" in
  quarantine|restore)
    LOCK="$QDIR/repair.lock"
    if ! err=$(mkdir -p "$QDIR" 2>&1); then echo "plugin-repair: cannot create $QDIR: ${err##*: } (run as root, or set QUARANTINE_DIR)" >&2; exit 77; fi
    if ! err=$( { : >>"$LOCK"; } 2>&1); then echo "plugin-repair: cannot open the lock file $LOCK for writing: ${err##*: } (run as root, or fix the permissions of $QDIR)" >&2; exit 77; fi
    command -v flock >/dev/null 2>&1 || { echo "plugin-repair: flock (util-linux) is required" >&2; exit 1; }
    exec 9>>"$LOCK"
    if ! flock -n 9; then echo "plugin-repair: another run holds $LOCK (it is released when that run exits)" >&2; exit 75; fi
    # The lock directory of older versions of this script, left by a crash.
    [ -d "$QDIR/.lock" ] && rmdir "$QDIR/.lock" 2>/dev/null
    trap 'exit 130' INT
    trap 'exit 143' TERM ;;
esac

case "${1:-}" in
  quarantine) quarantine ;;
  restore) restore "${2:-}" ;;
  list) list ;;
  *) sed -n '2,/^set -u/p' "$0" | grep '^#'; exit 2 ;;
esac
