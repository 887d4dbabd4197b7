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
