/**
 * `npm run check-versions`: compares the BuildKit pin (lib/versions.ts) with the latest stable GitHub release.
 * Exit 0: up to date, or offline (said plainly). Exit 1: a newer stable release exists. Exit 2: unusable answer.
 * `--api-url URL` points it at another endpoint (tests use a 127.0.0.1 server).
 */
import { parseArgs } from "node:util";
import { BUILDKIT_LATEST_RELEASE_API, BUILDKIT_VERSION, compareVersions, isStableTag } from "../lib/versions";

export type VersionCheck =
  | { readonly status: "up-to-date"; readonly pinned: string; readonly latest: string }
  | { readonly status: "newer-available"; readonly pinned: string; readonly latest: string }
  | { readonly status: "offline"; readonly pinned: string; readonly reason: string }
  | { readonly status: "invalid-answer"; readonly pinned: string; readonly reason: string };

export async function checkBuildkitVersion(apiUrl = BUILDKIT_LATEST_RELEASE_API, pinned = BUILDKIT_VERSION, timeoutMs = 5000): Promise<VersionCheck> {
  let response: Response;
  try {
    response = await fetch(apiUrl, { headers: { accept: "application/vnd.github+json", "user-agent": "buildfarm-check-versions" }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { status: "offline", pinned, reason: `could not reach ${new URL(apiUrl).host} (${cause})` };
  }
  if (!response.ok) return { status: "invalid-answer", pinned, reason: `${apiUrl} answered HTTP ${response.status}` };
  const body = (await response.json().catch(() => ({}))) as { tag_name?: unknown; prerelease?: unknown; draft?: unknown };
  const tag = typeof body.tag_name === "string" ? body.tag_name : "";
  if (!isStableTag(tag) || body.prerelease === true || body.draft === true) {
    return { status: "invalid-answer", pinned, reason: `latest release is not a stable tag: ${JSON.stringify(body.tag_name ?? null)}` };
  }
  return compareVersions(tag, pinned) > 0 ? { status: "newer-available", pinned, latest: tag } : { status: "up-to-date", pinned, latest: tag };
}

export function describeCheck(check: VersionCheck): { text: string; exitCode: number } {
  switch (check.status) {
    case "up-to-date":
      return { text: `BuildKit pin ${check.pinned} is the latest stable release (${check.latest}).`, exitCode: 0 };
    case "newer-available":
      return { text: `A newer stable BuildKit release exists: ${check.latest} (pinned: ${check.pinned}). Update BUILDKIT_VERSION in lib/versions.ts after testing the upgrade.`, exitCode: 1 };
    case "offline":
      return { text: `Offline: ${check.reason}. The pin ${check.pinned} was NOT compared with the latest release.`, exitCode: 0 };
    case "invalid-answer":
      return { text: `Could not read the latest release: ${check.reason}. The pin ${check.pinned} was NOT compared.`, exitCode: 2 };
    default: {
      const unreachable: never = check;
      throw new Error(`unknown check ${JSON.stringify(unreachable)}`);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "api-url": { type: "string" } } });
  const { text, exitCode } = describeCheck(await checkBuildkitVersion(values["api-url"]));
  console.log(text);
  process.exitCode = exitCode;
}

if (process.argv[1] && /check-versions\.ts$/.test(process.argv[1])) void main();
