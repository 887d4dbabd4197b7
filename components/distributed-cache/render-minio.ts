import { policyJson, renderLifecycleRules, type LifecycleRule } from "./render-policies";
import type { ResolvedCache } from "./resolve";

/** The `mc` alias the setup script uses; the caller provides `MC_HOST_buildfarmcache`. */
export const MC_ALIAS = "buildfarmcache";

/**
 * Lifecycle (ILM) document for `mc ilm rule import`: expiry under the cache prefix only. MinIO drops
 * stale multipart uploads itself (`api stale_uploads_expiry`, 24h by default), so no abort rule.
 */
export function renderMinioLifecycle(cache: ResolvedCache): { Rules: LifecycleRule[] } {
  return { Rules: renderLifecycleRules([cache.prefix], cache.retentionDays, false) };
}

/**
 * POSIX sh script that creates the bucket idempotently, keeps it private and un-versioned, and
 * applies the lifecycle rules, then lists them so a failed import is visible. Credentials come
 * from `MC_HOST_buildfarmcache=https://KEY:SECRET@host:port` in the environment, never argv.
 */
export function renderMinioSetupScript(cache: ResolvedCache): string {
  const ilm = policyJson(renderMinioLifecycle(cache)).trimEnd();
  if (ilm.includes("\nILM\n")) throw new Error("lifecycle JSON must not contain the heredoc terminator");
  const target = `${MC_ALIAS}/${cache.bucket}`;
  return `#!/bin/sh
# Sets up the BuildKit cache bucket ${cache.bucket} on an S3-compatible store (generated; do not edit).
# Needs: mc on PATH (or MC=/path/to/mc) and MC_HOST_${MC_ALIAS}=https://ACCESS_KEY:SECRET_KEY@host:port.
set -eu

MC="\${MC:-mc}"
: "\${MC_HOST_${MC_ALIAS}:?set MC_HOST_${MC_ALIAS}=https://ACCESS_KEY:SECRET_KEY@host:port}"
export MC_HOST_${MC_ALIAS}

"$MC" mb --ignore-existing "${target}"
# The cache is private: no anonymous access.
"$MC" anonymous set none "${target}"
# Versioning would keep every expired blob as a non-current version.
if "$MC" version info "${target}" | grep -q "versioning is enabled"; then
  "$MC" version suspend "${target}"
fi
"$MC" ilm rule import "${target}" <<'ILM'
${ilm}
ILM
"$MC" ilm rule ls "${target}"
echo "cache bucket ${cache.bucket} ready: objects under ${cache.prefix} expire after ${cache.retentionDays} days"
`;
}
