// The static part of prod-build.sh; renderProdBuildScript prepends the rendered settings.
// Kept as one POSIX sh text so shellcheck and the tests see exactly what hosts run.

/** Steps in order, with the exit code the gate returns when that step fails. */
export const GATE_EXIT_CODES = { arguments: 2, validate: 10, builder: 11, build: 12, digest: 13, scan: 14, sign: 15, verify: 16, record: 17 } as const;

export const GATE_BODY = `
usage() {
  cat >&2 <<'USAGE'
usage: prod-build --context DIR --image NAME:TAG --revision GIT_SHA
                  [--dockerfile PATH] [--build-arg NAME=VALUE]... [--platform LIST] [--target STAGE]
Validates the inputs, builds with provenance (mode=max) and SBOM attestations, pushes, scans,
signs and verifies the image digest, and records the attempt in the audit store.
USAGE
}

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
seconds() { date -u +%s; }

# JSON string with quotes, backslashes and control characters made safe (plain text needs no subprocess).
json_string() {
  case "$1" in
    *[\\"\\\\]*|*[![:print:]]*) printf '"%s"' "$(printf '%s' "$1" | tr -d '\\000-\\037' | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g')" ;;
    *) printf '"%s"' "$1" ;;
  esac
}

# Appends a JSON value to a comma-separated list held in the variable named $1.
json_append() {
  eval "prev=\\\${$1}"
  # shellcheck disable=SC2154 # prev is set by the eval above.
  if [ -n "$prev" ]; then eval "$1=\\"\\\${prev},\\$2\\""; else eval "$1=\\"\\$2\\""; fi
}

RUN_ID="\${PROD_BUILD_RUN_ID:-$(date -u +%Y%m%dT%H%M%SZ)-$$}"
STARTED_AT="$(now)"
WORK="$(mktemp -d "\${TMPDIR:-/tmp}/prod-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
BUILDKIT_ADDR="\${BUILDKIT_HOST:-$DEFAULT_BUILDKIT_ADDR}"

context=''; dockerfile=''; image=''; revision=''; platform=''; target=''
build_args=''; build_args_json=''; base_images_json=''; frontend=''
step='arguments'; step_started="$(seconds)"; timings_json=''
digest=''; builder_version=''; scan_json='null'; signature_json='null'; scan_report_url=''
image_key='unknown'

# Writes the build record, uploads it and the scan report; prints where it went.
write_record() {
  outcome="$1"; failed_step="$2"; message="$3"
  attestations='null'
  if [ -n "$digest" ]; then
    attestations="{\\"provenance\\":{\\"ref\\":$(json_string "$image@$digest"),\\"predicateType\\":\\"https://slsa.dev/provenance/v1\\",\\"mode\\":\\"max\\"},\\"sbom\\":{\\"ref\\":$(json_string "$image@$digest"),\\"predicateType\\":\\"https://spdx.dev/Document\\"}}"
  fi
  {
    printf '{"schemaVersion":1,"runId":%s,"outcome":%s,' "$(json_string "$RUN_ID")" "$(json_string "$outcome")"
    printf '"failedStep":%s,"message":%s,' "$(json_string "$failed_step")" "$(json_string "$message")"
    printf '"inputs":{"context":%s,"dockerfile":%s,"image":%s,' "$(json_string "$context")" "$(json_string "$dockerfile")" "$(json_string "$image")"
    printf '"platform":%s,"target":%s,"frontend":%s,' "$(json_string "$platform")" "$(json_string "$target")" "$(json_string "$frontend")"
    printf '"buildArgs":[%s],"baseImages":[%s],"sourcePolicy":%s},' "$build_args_json" "$base_images_json" "$(json_string "$SOURCE_POLICY_FILE")"
    printf '"gitRevision":%s,' "$(json_string "$revision")"
    printf '"builder":{"address":%s,"version":%s,"expectedVersion":%s,"gateVersion":%s},' "$(json_string "$BUILDKIT_ADDR")" "$(json_string "$builder_version")" "$(json_string "$EXPECTED_BUILDKIT_VERSION")" "$(json_string "$GATE_VERSION")"
    printf '"digest":%s,"attestations":%s,"scan":%s,"signature":%s,' "$(json_string "$digest")" "$attestations" "$scan_json" "$signature_json"
    printf '"timings":{"startedAt":%s,"finishedAt":%s,"stepSeconds":{%s}}}\\n' "$(json_string "$STARTED_AT")" "$(json_string "$(now)")" "$timings_json"
  } >"$WORK/record.json"
  record_url="$AUDIT_URL/$image_key/$RUN_ID.json"
  # shellcheck disable=SC2086 # UPLOADER is a command with its options.
  if ! $UPLOADER "$WORK/record.json" "$record_url"; then
    echo "prod-build: audit: could not write the build record to $record_url" >&2
    return 1
  fi
  echo "prod-build: build record written to $record_url" >&2
}

# Stops the gate: records the failed attempt, then exits with the step's code.
fail() {
  code="$1"; shift
  end_step
  echo "prod-build: $step failed: $*" >&2
  write_record failure "$step" "$*" || true
  exit "$code"
}

begin_step() { step="$1"; step_started="$(seconds)"; echo "prod-build: $step" >&2; }
end_step() { json_append timings_json "$(json_string "$step"):$(( $(seconds) - step_started ))"; }

# Registry/repository of a reference as BuildKit sees it: alpine -> docker.io/library/alpine.
normalize_image() {
  first="\${1%%/*}"
  case "$1" in
    */*)
      case "$first" in
        *.*|*:*|localhost) printf '%s' "$1" ;;
        *) printf 'docker.io/%s' "$1" ;;
      esac ;;
    *) printf 'docker.io/library/%s' "$1" ;;
  esac
}

# --- arguments ---------------------------------------------------------------------------------------
while [ "$#" -gt 0 ]; do
  case "$1" in
    --context|--dockerfile|--image|--revision|--build-arg|--platform|--target)
      [ "$#" -ge 2 ] || { usage; fail 2 "missing value for $1"; }
      case "$1" in
        --context) context="$2" ;;
        --dockerfile) dockerfile="$2" ;;
        --image) image="$2" ;;
        --revision) revision="$2" ;;
        --platform) platform="$2" ;;
        --target) target="$2" ;;
        --build-arg)
          build_args="$build_args
$2"
          json_append build_args_json "$(json_string "$2")" ;;
      esac
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage; fail 2 "unknown argument $1" ;;
  esac
done
[ -n "$image" ] && image_key="$(printf '%s' "\${image%%[:@]*}" | tr '/:' '__')"
[ -n "$context" ] || fail 2 "--context is required"
[ -n "$image" ] || fail 2 "--image is required"
[ -n "$revision" ] || fail 2 "--revision is required"
[ -n "$dockerfile" ] || dockerfile="$context/Dockerfile"
end_step

# --- validate inputs ---------------------------------------------------------------------------------
begin_step validate
case "$image" in
  *@*) fail 10 "--image must be NAME:TAG without a digest, got $image" ;;
  *:*) ;;
  *) fail 10 "--image must carry a tag (NAME:TAG), got $image" ;;
esac
printf '%s' "$revision" | grep -Eq '^[0-9a-f]{7,64}$' || fail 10 "--revision must be a git commit id (7-64 hex), got $revision"
[ -d "$context" ] || fail 10 "build context $context is not a directory"
[ -r "$dockerfile" ] || fail 10 "Dockerfile $dockerfile is not readable"
[ -r "$SOURCE_POLICY_FILE" ] || fail 10 "source policy $SOURCE_POLICY_FILE is not readable"
grep -q '"rules"' "$SOURCE_POLICY_FILE" || fail 10 "source policy $SOURCE_POLICY_FILE has no rules"

# No secrets as build args: they end up in the image history and the provenance.
old_ifs="$IFS"; IFS='
'
for arg in $build_args; do
  name="\${arg%%=*}"
  case "$arg" in *=*) ;; *) IFS="$old_ifs"; fail 10 "build arg $arg must be NAME=VALUE" ;; esac
  upper="$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')"
  case "$upper" in
    *TOKEN*|*PASSWORD*|*PASSWD*|*SECRET*|*KEY*|*CREDENTIAL*)
      IFS="$old_ifs"; fail 10 "build arg $name looks like a secret: pass secrets with --secret, never as build args" ;;
  esac
done
IFS="$old_ifs"

# The frontend: parser directives come before any other line; only pinned frontends are allowed.
frontend="$(sed -n '/^[[:space:]]*#/!q; s/^#[[:space:]]*syntax[[:space:]]*=[[:space:]]*\\([^[:space:]]*\\).*/\\1/p' "$dockerfile" | head -n 1)"
if [ -n "$frontend" ]; then
  allowed=no
  for candidate in $ALLOWED_FRONTENDS; do
    [ "$(normalize_image "$frontend")" = "$(normalize_image "$candidate")" ] && allowed=yes
  done
  [ "$allowed" = yes ] || fail 10 "frontend $frontend is not allowed (allowed: $ALLOWED_FRONTENDS)"
fi

# Base images: literal references from allowed registries (digest-pinned when required).
stages=' '
froms="$(sed -n 's/^[[:space:]]*[Ff][Rr][Oo][Mm][[:space:]]\\{1,\\}//p' "$dockerfile" | sed 's/--[a-z]*=[^[:space:]]*[[:space:]]*//g')"
[ -n "$froms" ] || fail 10 "Dockerfile $dockerfile has no FROM instruction"
old_ifs="$IFS"; IFS='
'
for line in $froms; do
  IFS="$old_ifs"
  # shellcheck disable=SC2086 # split "image [AS name]" into words.
  set -- $line
  base="\${1:-}"; stage_name=''
  [ "$#" -ge 3 ] && stage_name="$(printf '%s' "$3" | tr '[:upper:]' '[:lower:]')"
  case "$stages" in *" $base "*) [ -n "$stage_name" ] && stages="$stages$stage_name "; continue ;; esac
  [ -n "$stage_name" ] && stages="$stages$stage_name "
  [ "$base" = scratch ] && continue
  case "$base" in
    *'$'*) fail 10 "base image $base uses a variable: production builds need literal base images" ;;
    *[!A-Za-z0-9._/:@-]*|'') fail 10 "base image $base is not a valid image reference" ;;
  esac
  json_append base_images_json "$(json_string "$base")"
  normalized="$(normalize_image "$base")"
  allowed=no
  for registry in $ALLOWED_REGISTRIES; do
    case "$normalized" in "$registry"/*) allowed=yes ;; esac
  done
  [ "$allowed" = yes ] || fail 10 "base image $base is not from an allowed registry (allowed: $ALLOWED_REGISTRIES)"
  if [ "$REQUIRE_DIGEST" = true ]; then
    case "$normalized" in
      *@sha256:*) ;;
      *)
        pinned=no
        for pin in $PINNED_IMAGES; do [ "$pin" = "$normalized" ] && pinned=yes; done
        [ "$pinned" = yes ] || fail 10 "base image $base is not pinned by digest (use $base@sha256:...)" ;;
    esac
  fi
  IFS='
'
done
IFS="$old_ifs"
end_step

# --- builder -----------------------------------------------------------------------------------------
begin_step builder
case "$BUILDKIT_ADDR" in
  tcp://*)
    for file in ca.pem client.pem client-key.pem; do
      [ -r "$TLS_DIR/$file" ] || fail 11 "client certificate file $TLS_DIR/$file is not readable (the TCP listener requires mTLS)"
    done
    set -- --addr "$BUILDKIT_ADDR" --tlscacert "$TLS_DIR/ca.pem" --tlscert "$TLS_DIR/client.pem" --tlskey "$TLS_DIR/client-key.pem" ;;
  unix://*) set -- --addr "$BUILDKIT_ADDR" ;;
  *) fail 11 "BUILDKIT_HOST must be tcp://… (mTLS) or unix://…, got $BUILDKIT_ADDR" ;;
esac
info="$(buildctl "$@" debug info --format '{{json .}}')" || fail 11 "cannot reach the production builder at $BUILDKIT_ADDR (buildctl debug info failed)"
builder_version="$(printf '%s' "$info" | sed -n 's/.*"buildkitVersion"[^}]*"version"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p')"
[ "$builder_version" = "$EXPECTED_BUILDKIT_VERSION" ] || fail 11 "builder runs BuildKit \${builder_version:-unknown}, expected $EXPECTED_BUILDKIT_VERSION"
end_step

# --- build and push ----------------------------------------------------------------------------------
begin_step build
set -- "$@" build --frontend dockerfile.v0 \\
  --local "context=$context" --local "dockerfile=$(dirname "$dockerfile")" --opt "filename=$(basename "$dockerfile")"
old_ifs="$IFS"; IFS='
'
for arg in $build_args; do set -- "$@" --opt "build-arg:$arg"; done
IFS="$old_ifs"
[ -n "$platform" ] && set -- "$@" --opt "platform=$platform"
[ -n "$target" ] && set -- "$@" --opt "target=$target"
set -- "$@" --opt attest:provenance=mode=max --opt "attest:sbom=generator=$SBOM_GENERATOR" --source-policy-file "$SOURCE_POLICY_FILE"
if [ -n "$CACHE_S3" ]; then
  set -- "$@" --import-cache "$CACHE_S3,prefix=$CACHE_PROD_PREFIX,name=$image_key"
  [ -n "$CACHE_SHARED_PREFIX" ] && set -- "$@" --import-cache "$CACHE_S3,prefix=$CACHE_SHARED_PREFIX,name=$image_key"
  # A failing cache export must not fail a release (ignore-error=true is in CACHE_EXPORT_OPTIONS).
  set -- "$@" --export-cache "$CACHE_S3,prefix=$CACHE_PROD_PREFIX,name=$image_key,mode=max,$CACHE_EXPORT_OPTIONS"
fi
set -- "$@" --output "type=image,name=$image,push=true" --metadata-file "$WORK/metadata.json"
buildctl "$@" || fail 12 "buildctl build failed for $image (see the build log above)"
end_step

begin_step digest
[ -r "$WORK/metadata.json" ] || fail 13 "buildctl wrote no metadata file"
digest="$(tr -d '\\n' <"$WORK/metadata.json" | sed -n 's/.*"containerimage\\.digest"[[:space:]]*:[[:space:]]*"\\(sha256:[0-9a-f]\\{64\\}\\)".*/\\1/p')"
[ -n "$digest" ] || fail 13 "no containerimage.digest in the build metadata"
echo "prod-build: pushed $image@$digest" >&2
end_step

# --- vulnerability scan --------------------------------------------------------------------------------
begin_step scan
scan_rc=0
case "$SCANNER" in
  trivy) trivy image --exit-code 1 --severity "$TRIVY_SEVERITIES" --format json --output "$WORK/scan.json" "$image@$digest" || scan_rc=$? ;;
  grype) grype "$image@$digest" --fail-on "$FAIL_ON_SEVERITY" --output json --file "$WORK/scan.json" || scan_rc=$? ;;
  *) fail 14 "unknown scanner $SCANNER" ;;
esac
count() { if [ -r "$WORK/scan.json" ]; then grep -o -i "\\"severity\\"[[:space:]]*:[[:space:]]*\\"$1\\"" "$WORK/scan.json" | wc -l | tr -d ' '; else echo 0; fi; }
if [ -r "$WORK/scan.json" ]; then
  scan_report_url="$AUDIT_URL/$image_key/$RUN_ID.scan.json"
  # shellcheck disable=SC2086 # UPLOADER is a command with its options.
  $UPLOADER "$WORK/scan.json" "$scan_report_url" || scan_report_url=''
fi
passed=false; [ "$scan_rc" -eq 0 ] && passed=true
scan_json="{\\"scanner\\":$(json_string "$SCANNER"),\\"threshold\\":$(json_string "$FAIL_ON_SEVERITY"),\\"exitCode\\":$scan_rc,\\"passed\\":$passed,\\"counts\\":{\\"critical\\":$(count critical),\\"high\\":$(count high),\\"medium\\":$(count medium),\\"low\\":$(count low)},\\"report\\":$(json_string "$scan_report_url")}"
if [ "$scan_rc" -ne 0 ]; then
  if { [ "$SCANNER" = trivy ] && [ "$scan_rc" -eq 1 ]; } || { [ "$SCANNER" = grype ] && [ "$scan_rc" -eq 2 ]; }; then
    fail 14 "$SCANNER found vulnerabilities at or above $FAIL_ON_SEVERITY in $image@$digest"
  fi
  fail 14 "$SCANNER could not scan $image@$digest (exit $scan_rc)"
fi
end_step

# --- sign and verify -----------------------------------------------------------------------------------
begin_step sign
case "$SIGNING" in
  key) cosign sign --yes --key "$COSIGN_KEY" "$image@$digest" || fail 15 "cosign could not sign $image@$digest with $COSIGN_KEY" ;;
  keyless) cosign sign --yes "$image@$digest" || fail 15 "cosign could not sign $image@$digest (keyless: is an OIDC token available?)" ;;
  *) fail 15 "unknown signing mode $SIGNING" ;;
esac
end_step

begin_step verify
case "$SIGNING" in
  key)
    cosign verify --key "$COSIGN_PUBLIC_KEY" "$image@$digest" >"$WORK/verify.json" || fail 16 "signature of $image@$digest does not verify with $COSIGN_PUBLIC_KEY"
    signature_json="{\\"mode\\":\\"key\\",\\"key\\":$(json_string "$COSIGN_PUBLIC_KEY"),\\"verified\\":true}" ;;
  keyless)
    cosign verify --certificate-identity "$CERT_IDENTITY" --certificate-oidc-issuer "$CERT_OIDC_ISSUER" "$image@$digest" >"$WORK/verify.json" ||
      fail 16 "signature of $image@$digest does not verify for identity $CERT_IDENTITY issued by $CERT_OIDC_ISSUER"
    signature_json="{\\"mode\\":\\"keyless\\",\\"identity\\":$(json_string "$CERT_IDENTITY"),\\"issuer\\":$(json_string "$CERT_OIDC_ISSUER"),\\"verified\\":true}" ;;
esac
tr -d ' \\n' <"$WORK/verify.json" | grep -q "\\"docker-manifest-digest\\":\\"$digest\\"" ||
  fail 16 "the verified signature does not cover $digest"
end_step

# --- audit record --------------------------------------------------------------------------------------
step=record
write_record success '' "built, scanned, signed and verified $image@$digest" || exit 17
printf '%s@%s\\n' "$image" "$digest"
`;
