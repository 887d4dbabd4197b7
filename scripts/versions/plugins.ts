/**
 * Plugin pins: is a newer stable release out, and what are its digests? The proposal comes from upstream's
 * own checksum files (the GitHub release), never from a mirror.
 */
import { KNOWN_PLUGINS } from "../../components/plugin-set";
import { PLUGIN_LATEST_RELEASE_API, PLUGIN_VERSIONS, SUPPORTED_ARCHES, compareVersions, isStableTag, type Arch } from "../../lib/versions";
import { fetchWithTimeout, type Fetcher, type PinCheck } from "./fetcher";

const UARCH: Readonly<Record<Arch, string>> = { amd64: "x86_64", arm64: "aarch64" };

function fill(template: string, version: string, arch: Arch, asset = ""): string {
  return template.replaceAll("{version}", version).replaceAll("{arch}", arch).replaceAll("{uarch}", UARCH[arch]).replaceAll("{asset}", asset);
}

/** `<sha256>  [*]<file>` lines → the digest of `file`. */
export function digestFromChecksums(text: string, file: string): string | undefined {
  for (const line of text.split("\n")) {
    const [hash, name] = line.trim().split(/\s+/);
    if (hash !== undefined && name !== undefined && /^[a-fA-F0-9]{64}$/.test(hash) && name.replace(/^\*/, "") === file) return hash.toLowerCase();
  }
  return undefined;
}

export async function checkPlugin(name: string, fetcher: Fetcher = fetch, timeoutMs = 5000): Promise<PinCheck> {
  const subject = `plugin ${name}`;
  const pinned = PLUGIN_VERSIONS[name] ?? "none";
  const api = PLUGIN_LATEST_RELEASE_API[name];
  const release = KNOWN_PLUGINS[name]?.release;
  if (api === undefined || release === undefined) return { subject, status: "invalid-answer", pinned, reason: `no release source known for ${name}` };
  const response = await fetchWithTimeout(fetcher, api, { headers: { accept: "application/vnd.github+json", "user-agent": "buildfarm-check-versions" } }, timeoutMs);
  if ("offline" in response) return { subject, status: "offline", pinned, reason: response.offline };
  if (!response.ok) return { subject, status: "invalid-answer", pinned, reason: `${api} answered HTTP ${response.status}` };
  const body = (await response.json().catch(() => ({}))) as { tag_name?: unknown; prerelease?: unknown; draft?: unknown };
  const tag = typeof body.tag_name === "string" ? body.tag_name : "";
  if (!isStableTag(tag) || body.prerelease === true || body.draft === true) {
    return { subject, status: "invalid-answer", pinned, reason: `latest release is not a stable tag: ${JSON.stringify(body.tag_name ?? null)}` };
  }
  if (compareVersions(tag, pinned) <= 0) return { subject, status: "up-to-date", pinned, latest: tag };

  const digests: string[] = [];
  const base = release.baseUrl.replaceAll("{version}", tag);
  for (const arch of SUPPORTED_ARCHES) {
    const asset = fill(release.asset, tag, arch);
    let digest: string | undefined;
    for (const file of release.checksumFiles) {
      const url = `${base}/${fill(file, tag, arch, asset)}`;
      const sums = await fetchWithTimeout(fetcher, url, { headers: { "user-agent": "buildfarm-check-versions" } }, timeoutMs);
      if ("offline" in sums) return { subject, status: "offline", pinned, reason: sums.offline };
      if (!sums.ok) continue;
      digest = digestFromChecksums(await sums.text(), asset);
      if (digest !== undefined) break;
    }
    if (digest === undefined) return { subject, status: "invalid-answer", pinned, reason: `no sha256 for ${asset} in ${release.checksumFiles.join(", ")} of ${tag}` };
    digests.push(`${arch}: "${digest}"`);
  }
  const proposal = `PLUGIN_VERSIONS.${name} = "${tag}"; PLUGIN_DIGESTS.${name}["${tag}"] = { ${digests.join(", ")} } (from ${base})`;
  return { subject, status: "newer-available", pinned, latest: tag, proposal };
}
