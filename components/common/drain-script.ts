import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The shared drain script (contract in docs/kubernetes-pool.md#drain): creates the drain flag, waits
 * until buildkitd runs no build, bounded by GRACE_SECONDS; exit 0 drained, 1 grace ran out, 2 bad input.
 */
export const DRAIN_SCRIPT_FILE = join(__dirname, "scripts", "buildkit-drain.sh");

/** Where the drain flag lives by default: systemd hosts and Kubernetes pods (COMMON contract). */
export const DRAIN_FLAG_DEFAULTS = { host: "/run/buildkit/drain", pod: "/tmp/buildkit-drain" } as const;

/** The drain script's text, to ship to a host or into a ConfigMap. */
export function drainScript(): string {
  return readFileSync(DRAIN_SCRIPT_FILE, "utf8");
}
