#!/bin/sh
# A stand-in for buildctl that replays recorded BuildKit v0.32.2 outputs.
# FAKE_FIXTURES: fixture folder. FAKE_STATE: folder for the call log and counters.
# FAKE_INITIAL_BUILDS: how many history records the first `debug histories` call shows (later calls show all).
# Histories and logs are the real builds of real-builds/ (README there); disk usage and workers the older recordings.
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
  "debug logs")
    builds="$fixtures/real-builds"
    for ref in "$@"; do :; done
    case "$ref" in
      r7lihoewq2kgx132ld3o52inl) cat "$builds/build-uncached.err" ;;
      ifuk6q97yxoe1gwz53rzubf1q) cat "$builds/build-cached.err" ;;
      xv0x90ktegeal51w5v18nr60k) cat "$builds/build-partial.err" ;;
      vr06qe3o7x0kauog6k7565pe0) cat "$builds/build-failing.err" ;;
      sgp7errtsi0dz8ttndcky3o2s) cat "$builds/build-cache-backend-error.err" ;;
      *) echo "fake buildctl: no log for $ref" >&2; exit 1 ;;
    esac
    ;;
  "debug histories")
    count=0
    if [ -f "$state/histories.count" ]; then count=$(cat "$state/histories.count"); fi
    echo $((count + 1)) > "$state/histories.count"
    if [ "$count" -eq 0 ]; then
      head -n "${FAKE_INITIAL_BUILDS:-0}" "$fixtures/real-builds/histories.jsonl"
    else
      cat "$fixtures/real-builds/histories.jsonl"
    fi
    ;;
  *) echo "fake buildctl: unsupported command: $*" >&2; exit 1 ;;
esac
