/** The one network primitive of `check-versions`: tests pass a fixture-backed fetcher, so they never reach the network. */
export type Fetcher = (url: string, init?: RequestInit) => Promise<Response>;

/** Outcome of one pin check; `proposal` is the new pin to write into lib/versions.ts. */
export type PinCheck =
  | { readonly subject: string; readonly status: "up-to-date"; readonly pinned: string; readonly latest: string }
  | { readonly subject: string; readonly status: "newer-available"; readonly pinned: string; readonly latest: string; readonly proposal: string }
  | { readonly subject: string; readonly status: "offline"; readonly pinned: string; readonly reason: string }
  | { readonly subject: string; readonly status: "invalid-answer"; readonly pinned: string; readonly reason: string };

/** `fetch` with a timeout; a network failure becomes `{ offline: reason }`. */
export async function fetchWithTimeout(fetcher: Fetcher, url: string, init: RequestInit, timeoutMs: number): Promise<Response | { offline: string }> {
  try {
    return await fetcher(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { offline: `could not reach ${new URL(url).host} (${cause})` };
  }
}

/** Exit status for a set of checks: 2 when an answer was unusable, 1 when a pin should move, else 0. */
export function exitCodeOf(checks: readonly PinCheck[]): number {
  if (checks.some((c) => c.status === "invalid-answer")) return 2;
  return checks.some((c) => c.status === "newer-available") ? 1 : 0;
}
