/**
 * The builders' own MinIO user. The bucket and its lifecycle come from DistributedCache's
 * `renderMinioSetupScript`; this adds a user with the cache writer policy, so buildkitd never holds the root keys.
 */
export interface MinioUserSettings {
  /** Name of the MinIO policy attached to the user. */
  readonly policyName: string;
  /** The `mc` alias whose MC_HOST_<alias> variable carries the admin URL and keys. */
  readonly mcAlias: string;
}

/** Where the setup job finds its files inside the mc container. */
export const MINIO_SETUP_DIR = "/buildfarm";

/**
 * POSIX sh, run by the mc image after the bucket script. Idempotent: the policy is re-created, the user's
 * secret re-set and the policy attached only once. Keys come from the environment, never argv of Pulumi.
 */
export function renderMinioUserScript(settings: MinioUserSettings): string {
  const alias = settings.mcAlias;
  return `#!/bin/sh
# Creates the builders' bucket-scoped MinIO user (generated; do not edit).
# Needs MC_HOST_${alias}, CACHE_ACCESS_KEY_ID and CACHE_SECRET_ACCESS_KEY in the environment.
set -eu

MC="\${MC:-mc}"
DIR="\${BUILDFARM_SETUP_DIR:-${MINIO_SETUP_DIR}}"
POLICY='${settings.policyName}'
: "\${MC_HOST_${alias}:?set MC_HOST_${alias}=http://ACCESS_KEY:SECRET_KEY@host:port}"
: "\${CACHE_ACCESS_KEY_ID:?CACHE_ACCESS_KEY_ID is not set}"
: "\${CACHE_SECRET_ACCESS_KEY:?CACHE_SECRET_ACCESS_KEY is not set}"
export MC_HOST_${alias}

"$MC" admin policy create ${alias} "$POLICY" "$DIR/cache-user-policy.json"
"$MC" admin user add ${alias} "$CACHE_ACCESS_KEY_ID" "$CACHE_SECRET_ACCESS_KEY"
if ! "$MC" admin user info ${alias} "$CACHE_ACCESS_KEY_ID" | grep -q "$POLICY"; then
  "$MC" admin policy attach ${alias} "$POLICY" --user "$CACHE_ACCESS_KEY_ID"
fi
echo "builders' MinIO user ready with policy $POLICY"
`;
}
