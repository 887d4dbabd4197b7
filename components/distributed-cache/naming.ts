/**
 * Cache namespacing: one key prefix per environment, one manifest `name` per project and branch.
 * The branch rule is simple enough to repeat in shell (see render-ci-snippet.ts), so CI computes
 * exactly the names the stack prints.
 */

/** Longest sanitised branch segment kept in a manifest name. */
export const MAX_BRANCH_LENGTH = 100;

/** A project name as it appears in a manifest name: lower-case letters, digits, ".", "_" and "-". */
export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * Maps a git branch to a manifest name segment: lower-case, every character outside
 * `[a-z0-9._-]` becomes "-", runs of "-" collapse, leading/trailing "-" and "." go, at most
 * 100 characters. Throws when nothing is left (an empty or all-punctuation branch).
 */
export function sanitiseBranch(branch: string): string {
  const cleaned = branch
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[-.]+/, "")
    .slice(0, MAX_BRANCH_LENGTH)
    .replace(/[-.]+$/, "");
  if (cleaned === "") throw new Error(`expected a branch name with at least one letter or digit, got ${JSON.stringify(branch)}`);
  return cleaned;
}

/** `project/branch`, the manifest name under `<prefix>manifests/`. */
export function cacheName(project: string, branch: string): string {
  if (!PROJECT_NAME_PATTERN.test(project)) throw new Error(`expected a project name like "web-app" (lower-case letters, digits, ".", "_", "-"), got ${JSON.stringify(project)}`);
  return `${project}/${sanitiseBranch(branch)}`;
}

/** The S3 key prefix of one environment, ending in "/" because BuildKit prepends it verbatim. */
export function environmentPrefix(prefix: string, environment: string): string {
  return `${prefix}/${environment}/`;
}

/** Converts seconds to a Go duration BuildKit's `time.ParseDuration` accepts (it rejects "d"). */
export function goDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) throw new Error(`expected a positive whole number of seconds, got ${seconds}`);
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
