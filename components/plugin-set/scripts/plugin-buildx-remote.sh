#!/bin/sh
# plugin-buildx-remote.sh: points `docker buildx` at this stack's BuildKit
# endpoint through the remote driver with mutual TLS, then checks that the
# builder answers. Re-running replaces the builder with the same settings.
#
# Usage: sh plugin-buildx-remote.sh NAME ENDPOINT CA CERT KEY [SERVERNAME]
#   ENDPOINT    tcp://host:port of buildkitd's TLS listener
#   CA/CERT/KEY client TLS files on this host (never printed)
# Environment: DOCKER_BIN (default docker), BUILDX_USE=1 to make it the default
# builder, BUILDX_BOOTSTRAP=0 to skip the connectivity check.
set -u
DOCKER_BIN="${DOCKER_BIN:-docker}"
if [ $# -lt 5 ]; then sed -n '2,/^set -u/p' "$0" | grep '^#'; exit 2; fi
name=$1 endpoint=$2 ca=$3 cert=$4 key=$5 servername=${6:-}
case "$endpoint" in tcp://*) ;; *) echo "plugin-buildx-remote: expected a tcp:// endpoint with TLS, got $endpoint" >&2; exit 2 ;; esac
for f in "$ca" "$cert" "$key"; do
  [ -r "$f" ] || { echo "plugin-buildx-remote: step 1/3 (TLS files): cannot read $f" >&2; exit 1; }
done
opts="cacert=$ca,cert=$cert,key=$key"
[ -z "$servername" ] || opts="$opts,servername=$servername"
if "$DOCKER_BIN" buildx inspect "$name" >/dev/null 2>&1; then
  "$DOCKER_BIN" buildx rm "$name" >/dev/null || { echo "plugin-buildx-remote: cannot replace builder $name" >&2; exit 1; }
fi
set -- --name "$name" --driver remote --driver-opt "$opts"
[ "${BUILDX_USE:-1}" = 1 ] && set -- "$@" --use
"$DOCKER_BIN" buildx create "$@" "$endpoint" || { echo "plugin-buildx-remote: step 2/3 (create): docker buildx create failed" >&2; exit 1; }
if [ "${BUILDX_BOOTSTRAP:-1}" = 1 ]; then
  "$DOCKER_BIN" buildx inspect --bootstrap "$name" >/dev/null ||
    { echo "plugin-buildx-remote: step 3/3 (connect): $endpoint did not answer over TLS; check the CA, the certificate SANs and servername" >&2; exit 1; }
fi
echo "builder $name -> $endpoint"
