import { createHash } from "node:crypto";
import { DEV_IMAGES } from "./images";
import { EXPORTER_PATHS } from "./services";

/** Local image name of the build-insights exporter; the tag is a hash of what goes into it. */
export const EXPORTER_IMAGE_REPOSITORY = "buildfarm/insights-exporter";

/**
 * Dockerfile of the exporter image: the bundled exporter (scripts/build-exporter.ts) on the pinned Node
 * runtime, plus buildctl from the same BuildKit release the farm runs. Runs as the unprivileged `node` user.
 */
export function renderExporterDockerfile(): string {
  return `# Build-insights exporter for the dev farm (generated; do not edit).
FROM ${DEV_IMAGES.buildkitd} AS buildkit
FROM ${DEV_IMAGES.node}
COPY --from=buildkit /usr/bin/buildctl /usr/local/bin/buildctl
COPY exporter.js ${EXPORTER_PATHS.program}
USER node
ENTRYPOINT ["node", "${EXPORTER_PATHS.program}"]
`;
}

/** Pinned reference for the image built from these inputs (exporter sources and Dockerfile). */
export function exporterImageName(inputs: readonly string[]): string {
  const hash = createHash("sha256");
  for (const input of inputs) hash.update(input).update("\0");
  return `${EXPORTER_IMAGE_REPOSITORY}:src-${hash.digest("hex").slice(0, 12)}`;
}

/** Shell command that prepares the build context: the bundle and the Dockerfile (from $DOCKERFILE). */
export function renderExporterContextCommand(contextDir: string): string {
  return [
    "set -eu",
    `mkdir -p '${contextDir}'`,
    `npx tsx scripts/build-exporter.ts '${contextDir}/exporter.js' >/dev/null`,
    `printf '%s' "$DOCKERFILE" > '${contextDir}/Dockerfile'`,
  ].join("\n");
}
