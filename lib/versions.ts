/**
 * The versions manifest: the single source for the BuildKit pin. The schema defaults, the renderers,
 * the policy pack and `npm run check-versions` all import it.
 */

/** Latest stable BuildKit release (moby/buildkit tag, 2026-08-04). */
export const BUILDKIT_VERSION = "v0.32.2";

/** Dockerfile frontend shipped with the pinned release (`buildctl debug info` → dockerfileVersion). */
export const DOCKERFILE_FRONTEND_VERSION = "1.26.0";

/** Where release tarballs are published; a mirror may replace it (`buildfarm:buildkit.downloadBaseUrl`). */
export const BUILDKIT_DOWNLOAD_BASE_URL = "https://github.com/moby/buildkit/releases/download";

/** The GitHub API endpoint `check-versions` asks for the latest stable release. */
export const BUILDKIT_LATEST_RELEASE_API = "https://api.github.com/repos/moby/buildkit/releases/latest";

/**
 * The trust root for BuildKit tarballs: sha256 per version and architecture, reviewed into this repository
 * (`npm run check-versions` proposes them from upstream's release provenance). A mirror's own provenance is
 * never enough in prod: a version missing here needs `buildfarm:buildkit.sha256.<arch>` or is refused.
 * No verified digest for v0.32.2 was available when this table was created, so it starts empty rather
 * than holding an unverified value.
 */
export const BUILDKIT_TARBALL_SHA256: Readonly<Record<string, Readonly<Partial<Record<"amd64" | "arm64", string>>>>> = {};

/** CPU architectures BuildKit publishes Linux tarballs for that this farm supports. */
export const SUPPORTED_ARCHES = ["amd64", "arm64"] as const;
export type Arch = (typeof SUPPORTED_ARCHES)[number];

/** `uname -m` values mapped to release architectures. */
export const UNAME_TO_ARCH: Readonly<Record<string, Arch>> = { x86_64: "amd64", amd64: "amd64", aarch64: "arm64", arm64: "arm64" };

/** `buildkit-v0.32.2.linux-amd64.tar.gz` */
export function buildkitTarballName(version: string, arch: Arch): string {
  return `buildkit-${version}.linux-${arch}.tar.gz`;
}

/** Full download URL of a release tarball. */
export function buildkitTarballUrl(baseUrl: string, version: string, arch: Arch): string {
  return `${baseUrl.replace(/\/+$/, "")}/${version}/${buildkitTarballName(version, arch)}`;
}

/** The SLSA provenance published beside each tarball; its `subject` lists the tarball's sha256. */
export function buildkitProvenanceUrl(baseUrl: string, version: string, arch: Arch): string {
  return `${buildkitTarballUrl(baseUrl, version, arch)}.provenance.json`;
}

/** Compares two `vX.Y.Z` tags; negative when a < b. Pre-releases are not stable and are not compared. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => v.replace(/^v/, "").split(".").map((part) => Number.parseInt(part, 10));
  const [pa, pb] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** True for a stable release tag such as "v0.32.2" (not "v0.33.0-rc1"). */
export function isStableTag(tag: string): boolean {
  return /^v\d+\.\d+\.\d+$/.test(tag);
}

/**
 * The trust root for Docker CLI plugins: sha256 of each release binary, per version and architecture.
 * `plugin-install.sh` verifies downloads against these (never against a mirror's checksum file alone);
 * `npm run check-versions` proposes new entries from upstream's `checksums.txt`.
 * Source of the values below: the official `docker` image's build steps (docker-library/repo-info,
 * repos/docker, `docker:cli` of 2025-11-24), which check each upstream binary with `sha256sum -c`
 * against these digests before installing it.
 */
export const PLUGIN_DIGESTS: Readonly<Record<string, Readonly<Record<string, Readonly<Partial<Record<Arch, string>>>>>>> = {
  buildx: {
    "v0.30.1": {
      amd64: "c37114fcd034025ec68e224657c8a5a850df472ded3ddcbca75ad3a7ebb9710d",
      arm64: "31d012d52d6df68aef4b55db62330967b562811f0de30cdfaa4505f314797c76",
    },
  },
  compose: {
    "v2.40.3": {
      amd64: "dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372",
      arm64: "d26373b19e89160546d15407516cc59f453030d9bc5b43ba7faf16f7b4980137",
    },
  },
};

/** Where `check-versions` asks for each plugin's latest release (GitHub API). */
export const PLUGIN_LATEST_RELEASE_API: Readonly<Record<string, string>> = {
  buildx: "https://api.github.com/repos/docker/buildx/releases/latest",
  compose: "https://api.github.com/repos/docker/compose/releases/latest",
};

/** The pinned sha256 of a plugin binary, or undefined when this repository has none. */
export function pluginDigest(name: string, version: string, arch: Arch): string | undefined {
  return PLUGIN_DIGESTS[name]?.[version]?.[arch];
}
