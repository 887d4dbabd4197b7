#!/bin/sh
# plugin-buildx-tls.sh: writes the buildx client's TLS files into DIR from the
# environment: ca.pem and client.pem (0644) and client-key.pem (0600). Each is
# written to a temp file whose mode is set explicitly, then renamed over the
# target: a key that existed as 0644 ends 0600, and no reader ever sees a
# half-written or world-readable key.
#
# Usage: CA=<pem> CERT=<pem> KEY=<pem> sh plugin-buildx-tls.sh DIR
#        sh plugin-buildx-tls.sh --remove DIR
set -eu
umask 077
if [ "${1:-}" = --remove ]; then
  [ $# -eq 2 ] || { echo "usage: plugin-buildx-tls.sh --remove DIR" >&2; exit 2; }
  rm -f -- "$2/ca.pem" "$2/client.pem" "$2/client-key.pem"
  exit 0
fi
[ $# -eq 1 ] || { echo "usage: CA=... CERT=... KEY=... plugin-buildx-tls.sh DIR" >&2; exit 2; }
dir=$1
: "${CA:?CA (PEM) is required}" "${CERT:?CERT (PEM) is required}" "${KEY:?KEY (PEM) is required}"
mkdir -p -- "$dir"
tmp=""
trap 'rm -f -- "$tmp"' EXIT

# put FILE MODE CONTENT
put() {
  tmp=$(mktemp "$dir/.$1.XXXXXX")
  printf '%s' "$3" >"$tmp"
  chmod "$2" "$tmp"
  mv -f -- "$tmp" "$dir/$1"
  tmp=""
}
put ca.pem 0644 "$CA"
put client.pem 0644 "$CERT"
put client-key.pem 0600 "$KEY"
