#!/bin/sh
# Readiness of a pool pod: not draining (the drain flag is absent) and buildkitd answers.
# A draining pod turns unready, so it leaves the headless Service's DNS and the front's
# server-template stops sending it new connections; running builds go on.
set -eu
if [ -e "${DRAIN_FLAG_FILE:-/tmp/buildkit-drain}" ]; then
  echo "draining: ${DRAIN_FLAG_FILE:-/tmp/buildkit-drain} exists" >&2
  exit 1
fi
exec "${BUILDCTL:-buildctl}" --addr "${BUILDKIT_ADDR:?BUILDKIT_ADDR is required}" debug workers >/dev/null
