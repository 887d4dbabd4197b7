import { PINNED_IMAGES } from "../../lib/versions";

/**
 * Container images the dev farm runs, pinned `name:tag@sha256:…` in lib/versions.ts (one place to bump them;
 * `npm run check-versions` reports a tag that moved). MinIO publishes on quay.io; the Docker Hub copies stopped updating.
 */
export const DEV_IMAGES = {
  /** Rootless BuildKit: rootlesskit + buildkitd + buildctl, runs as uid 1000. */
  buildkitd: PINNED_IMAGES.buildkitRootless,
  minio: PINNED_IMAGES.minio,
  /** MinIO client, for the one-shot bucket job. */
  minioClient: PINNED_IMAGES.minioClient,
  /** Node runtime of the build-insights exporter; buildctl is copied in from the buildkit image. */
  node: PINNED_IMAGES.node,
} as const;

/** A reference is pinned when it carries a digest or an exact, non-floating tag. */
export function isPinnedImage(reference: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(reference)) return true;
  const tag = /:([^:/@]+)$/.exec(reference)?.[1];
  if (tag === undefined) return false;
  // Floating tags move under us: latest, stable, bare majors ("20"), "rootless".
  if (/^(latest|stable|edge|master|main|nightly|rootless)$/.test(tag)) return false;
  // Exact versions, MinIO release stamps, or a content hash of a locally built image.
  return /\d+\.\d+/.test(tag) || /^RELEASE\.\d{4}-\d{2}-\d{2}T/.test(tag) || /^src-[a-f0-9]{12}$/.test(tag);
}
