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

/** Default versions of the Docker CLI plugins (the `buildfarm:plugins.required` default); each has a pin above. */
export const PLUGIN_VERSIONS: Readonly<Record<string, string>> = { buildx: "v0.30.1", compose: "v2.40.3" };

/**
 * Every container image this program runs, pinned `name:tag@sha256:<digest of the multi-arch index>`, so amd64
 * and arm64 hosts pull exactly what was reviewed; the tag is for people. `npm run check-versions` asks the
 * registry whether each tag still points at its digest and proposes the new one when it moved.
 * No registry is reachable from this workspace, so each digest was taken from public pins of the same tag in
 * other repositories (GitHub code search) and kept only where independent files agree:
 */
export const PINNED_IMAGES = {
  /** 8 independent files (compose files, Kubernetes manifests, CI pod templates) agree on this index digest. */
  buildkitRootless: "docker.io/moby/buildkit:v0.32.2-rootless@sha256:504731e577c20559c00f968f33219f30115e70be29ab96728d1d06e963fc494b",
  /** 7 files agree (quay.io and docker.io copies share it). */
  minio: "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z@sha256:14cea493d9a34af32f524e538b8346cf79f3321eff8e708c1e2960462bd8936e",
  /** 8 files agree. */
  minioClient: "quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z@sha256:a7fe349ef4bd8521fb8497f55c6042871b2ae640607cf99d9bede5e9bdf11727",
  /** 7 files agree, one stating it was resolved from Docker Hub on 2026-08-24 (the tag is re-pushed for Debian updates). */
  node: "docker.io/library/node:20.19.5-bookworm-slim@sha256:9e70124bd00f47dd023e349cd587132ae61892acc0e47ed641416c3e18f401c3",
  /** BuildKit's default SBOM generator; `stable-1` moves, so the digest is what makes it a pin (4 files, with buildkit v0.33-era pins). */
  sbomGenerator: "docker.io/docker/buildkit-syft-scanner:stable-1@sha256:ae4f3b554449e7e25548e7d8ccc029d17357348e30c6e3df01b92bc93654d6a9",
  /** Self-hosted monitoring. 7 of 8 files agree (one outlier, f4def6b3…, not taken). */
  prometheus: "prom/prometheus:v2.55.1@sha256:2659f4c2ebb718e7695cb9b25ffa7d6be64db013daba13e05c875451cf51b0d3",
  /** 5 independent files agree. */
  alertmanager: "prom/alertmanager:v0.27.0@sha256:e13b6ed5cb929eeaee733479dce55e10eb3bc2e9c4586c705a4e8da41e5eacf5",
  /** 10 files agree. */
  grafana: "grafana/grafana:12.1.1@sha256:a1701c2180249361737a99a01bc770db39381640e4d631825d38ff4535efa47d",
  /** 8 of 9 files agree (one outlier, 065914c0…, not taken). */
  nodeExporter: "prom/node-exporter:v1.8.2@sha256:4032c6d5bfd752342c3e631c2f1de93ba6b86c41db6b167b9a35372c139e7706",
} as const;

/**
 * node_exporter installed on builder hosts by BuildkitHost (unless one exists). Checksums are the release's
 * sha256sums.txt entries for the linux tarballs; the install script refuses any other bytes.
 */
export const NODE_EXPORTER = {
  version: "1.8.2",
  sha256: {
    amd64: "6809dd0b3ec45fd6e992c19071d6b5253aed3ead7bf0686885a51d85c6643c66",
    arm64: "627382b9723c642411c33f48861134ebe893e70a63bcc8b3fc0619cd0bfac4be",
  },
} as const;
