/**
 * The known-plugins catalogue: the one place that knows what each Docker CLI plugin is for and how its
 * releases are published. The inventory takes purposes from here (falling back to the plugin's own
 * ShortDescription) and the install script takes release file names from here.
 */

/** How a plugin's GitHub release is laid out. Placeholders: {version} {arch} (amd64|arm64) {uarch} (x86_64|aarch64) {asset}. */
export interface ReleaseLayout {
  /** Release directory; `{version}` is the tag. */
  readonly baseUrl: string;
  /** File name of the Linux binary. */
  readonly asset: string;
  /** Checksum files to try, in order; each holds `<sha256> [*]<asset>` lines. */
  readonly checksumFiles: readonly string[];
}

export interface KnownPlugin {
  /** What the plugin is for, in one sentence, for the inventory. */
  readonly purpose: string;
  readonly release?: ReleaseLayout;
}

export const KNOWN_PLUGINS: Readonly<Record<string, KnownPlugin>> = {
  buildx: {
    purpose: "BuildKit front end for `docker build`: builders, multi-platform builds, cache import/export, bake.",
    release: {
      baseUrl: "https://github.com/docker/buildx/releases/download/{version}",
      asset: "buildx-{version}.linux-{arch}",
      checksumFiles: ["checksums.txt"],
    },
  },
  compose: {
    purpose: "Docker Compose v2: define and run multi-container applications (needs buildx >= 0.17 to build).",
    release: {
      baseUrl: "https://github.com/docker/compose/releases/download/{version}",
      asset: "docker-compose-linux-{uarch}",
      checksumFiles: ["{asset}.sha256", "checksums.txt"],
    },
  },
  scout: { purpose: "Docker Scout: image vulnerability and SBOM analysis." },
  sbom: { purpose: "Generate a software bill of materials for an image (deprecated in favour of scout)." },
  scan: { purpose: "Legacy image vulnerability scanning (deprecated, replaced by scout)." },
  init: { purpose: "Create Dockerfile, compose and .dockerignore starter files for a project." },
  debug: { purpose: "Open a debug shell into any container or image." },
  extension: { purpose: "Manage Docker Desktop extensions." },
  feedback: { purpose: "Send feedback to Docker." },
  ai: { purpose: "Docker AI agent (Gordon) command line." },
  model: { purpose: "Docker Model Runner: pull and run AI models." },
  mcp: { purpose: "Docker MCP Toolkit: manage Model Context Protocol servers." },
  dev: { purpose: "Docker Dev Environments (deprecated)." },
  desktop: { purpose: "Control Docker Desktop from the command line." },
  cloud: { purpose: "Docker Build Cloud helpers." },
  offload: { purpose: "Docker Offload: run builds and containers on remote Docker-managed machines." },
};

/** The minimum buildx that compose can build with (docker/compose#13295). */
export const COMPOSE_MIN_BUILDX = "v0.17.0";

/** Compares `vX.Y.Z` tags numerically; negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => v.replace(/^v/, "").split(".").map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
