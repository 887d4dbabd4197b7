/**
 * `npm run check-versions`: every pin in lib/versions.ts against upstream: BuildKit (latest stable GitHub
 * release), each pinned Docker CLI plugin (latest release; the proposal carries the digests from upstream's
 * checksum files) and each pinned image (does the tag still point at the pinned digest?).
 * Exit 0: all current, or offline (said plainly). Exit 1: a pin should move (proposals printed). Exit 2: an
 * unusable answer. `--json` prints the checks as JSON (the scheduled workflow turns proposals into a pull
 * request). `--api-url URL` points the BuildKit check at another endpoint.
 */
import { parseArgs } from "node:util";
import { BUILDKIT_LATEST_RELEASE_API, BUILDKIT_VERSION, PINNED_IMAGES, PLUGIN_VERSIONS, compareVersions, isStableTag } from "../lib/versions";
import { exitCodeOf, type Fetcher, type PinCheck } from "./versions/fetcher";
import { checkImage } from "./versions/images";
import { checkPlugin } from "./versions/plugins";

export type VersionCheck =
  | { readonly status: "up-to-date"; readonly pinned: string; readonly latest: string }
  | { readonly status: "newer-available"; readonly pinned: string; readonly latest: string }
  | { readonly status: "offline"; readonly pinned: string; readonly reason: string }
  | { readonly status: "invalid-answer"; readonly pinned: string; readonly reason: string };

export async function checkBuildkitVersion(apiUrl = BUILDKIT_LATEST_RELEASE_API, pinned = BUILDKIT_VERSION, timeoutMs = 5000, fetcher: Fetcher = fetch): Promise<VersionCheck> {
  let response: Response;
  try {
    response = await fetcher(apiUrl, { headers: { accept: "application/vnd.github+json", "user-agent": "buildfarm-check-versions" }, signal: AbortSignal.timeout(timeoutMs) });
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

/** Every pin: BuildKit, each pinned plugin, each pinned image. Offline answers say so and never fail the run. */
export async function checkAllPins(fetcher: Fetcher = fetch, buildkitApiUrl = BUILDKIT_LATEST_RELEASE_API): Promise<PinCheck[]> {
  const buildkit = await checkBuildkitVersion(buildkitApiUrl, BUILDKIT_VERSION, 5000, fetcher);
  const first: PinCheck =
    buildkit.status === "newer-available"
      ? { subject: "BuildKit", ...buildkit, proposal: `BUILDKIT_VERSION = "${buildkit.latest}" (and the tarball pins, after testing the upgrade)` }
      : { subject: "BuildKit", ...buildkit };
  const plugins = await Promise.all(Object.keys(PLUGIN_VERSIONS).map((name) => checkPlugin(name, fetcher)));
  const images = await Promise.all(Object.values(PINNED_IMAGES).map((reference) => checkImage(reference, fetcher)));
  return [first, ...plugins, ...images];
}

/** One line per pin, for people. */
export function describePin(check: PinCheck): string {
  switch (check.status) {
    case "up-to-date":
      return `${check.subject}: pinned ${check.pinned} is current.`;
    case "newer-available":
      return `${check.subject}: ${check.latest} is available (pinned ${check.pinned}). Proposed pin: ${check.proposal}`;
    case "offline":
      return `${check.subject}: offline (${check.reason}); the pin ${check.pinned} was NOT checked.`;
    case "invalid-answer":
      return `${check.subject}: could not read the answer (${check.reason}); the pin ${check.pinned} was NOT checked.`;
    default: {
      const unreachable: never = check;
      throw new Error(`unknown check ${JSON.stringify(unreachable)}`);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "api-url": { type: "string" }, json: { type: "boolean", default: false } } });
  const checks = await checkAllPins(fetch, values["api-url"]);
  console.log(values.json ? JSON.stringify(checks, null, 2) : checks.map(describePin).join("\n"));
  process.exitCode = exitCodeOf(checks);
}

if (process.argv[1] && /check-versions\.ts$/.test(process.argv[1])) void main();
