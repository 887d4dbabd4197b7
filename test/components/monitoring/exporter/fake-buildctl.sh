#!/bin/sh
# A stand-in for buildctl that replays recorded BuildKit v0.32.2 outputs.
# FAKE_FIXTURES: fixture folder. FAKE_STATE: folder for the call log and counters.
# FAKE_INITIAL_BUILDS: how many history records the first `debug histories` call shows (later calls show all).
set -eu
fixtures="${FAKE_FIXTURES:?}"
state="${FAKE_STATE:?}"
printf '%s\n' "$*" >> "$state/calls.log"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --addr|--tlscacert|--tlscert|--tlskey|--tlsservername) shift 2 ;;
    *) break ;;
  esac
done
case "${1:-} ${2:-}" in
  "du --format") cat "$fixtures/buildctl-du.jsonl" ;;
  "debug workers") cat "$fixtures/buildctl-debug-workers.json" ;;
  "debug logs") cat "$fixtures/buildctl-build-progress.txt" ;;
  "debug histories")
    count=0
    if [ -f "$state/histories.count" ]; then count=$(cat "$state/histories.count"); fi
    echo $((count + 1)) > "$state/histories.count"
    if [ "$count" -eq 0 ]; then
      head -n "${FAKE_INITIAL_BUILDS:-0}" "$fixtures/buildctl-debug-histories.jsonl"
    else
      cat "$fixtures/buildctl-debug-histories.jsonl"
    fi
    ;;
  *) echo "fake buildctl: unsupported command: $*" >&2; exit 1 ;;
esac
