import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PINNED_IMAGES, PLUGIN_VERSIONS } from "../../lib/versions";
import { checkAllPins, describePin } from "../../scripts/check-versions";
import type { Fetcher } from "../../scripts/versions/fetcher";
import { digestFromChecksums } from "../../scripts/versions/plugins";
import { checkImage, parseImageReference } from "../../scripts/versions/images";

interface Answer {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  anonymous?: Omit<Answer, "anonymous">;
}
const { responses } = JSON.parse(readFileSync(join(__dirname, "../fixtures/check-versions/responses.json"), "utf8")) as { responses: Record<string, Answer> };

/** Answers from the recorded fixtures only: a URL not in them is a test failure, never a network call. */
function fixtureFetcher(overrides: Record<string, Answer> = {}): { fetcher: Fetcher; asked: string[] } {
  const asked: string[] = [];
  const fetcher: Fetcher = (url, init) => {
    asked.push(url);
    const recorded = overrides[url] ?? responses[url];
    if (recorded === undefined) return Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } }));
    const authorized = new Headers(init?.headers).has("authorization");
    const answer = recorded.anonymous !== undefined && !authorized ? recorded.anonymous : recorded;
    const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? "");
    return Promise.resolve(new Response(init?.method === "HEAD" ? null : body, { status: answer.status, headers: answer.headers }));
  };
  return { fetcher, asked };
}

describe("check-versions covers BuildKit, every pinned plugin and every pinned image (offline, fixture answers)", () => {
  it("checks each pin once and proposes new pins where upstream moved", async () => {
    const { fetcher } = fixtureFetcher();
    const checks = await checkAllPins(fetcher);
    expect(checks.map((c) => c.subject)).toEqual([
      "BuildKit",
      ...Object.keys(PLUGIN_VERSIONS).map((name) => `plugin ${name}`),
      ...Object.values(PINNED_IMAGES).map((ref) => `image ${ref.replace(/@.*$/, "")}`),
    ]);
    expect(checks.map((c) => c.status)).toEqual(["up-to-date", "newer-available", "up-to-date", "up-to-date", "up-to-date", "up-to-date", "newer-available", "up-to-date", "up-to-date", "up-to-date", "up-to-date", "up-to-date"]);
    const lines = checks.map(describePin);
    expect(lines[1]).toBe(
      `plugin buildx: v0.31.0 is available (pinned v0.30.1). Proposed pin: PLUGIN_VERSIONS.buildx = "v0.31.0"; PLUGIN_DIGESTS.buildx["v0.31.0"] = { amd64: "${"1".repeat(64)}", arm64: "${"2".repeat(64)}" } (from https://github.com/docker/buildx/releases/download/v0.31.0)`,
    );
    expect(lines[6]).toBe(
      `image docker.io/library/node:20.19.5-bookworm-slim: sha256:${"3".repeat(64)} is available (pinned ${PINNED_IMAGES.node.replace(/^.*@/, "")}). Proposed pin: docker.io/library/node:20.19.5-bookworm-slim@sha256:${"3".repeat(64)} (the tag moved; review the new image before pinning it)`,
    );
  });

  it("asks Docker Hub for a pull token when the registry says 401, and sends it", async () => {
    const { fetcher, asked } = fixtureFetcher();
    expect((await checkImage(PINNED_IMAGES.buildkitRootless, fetcher)).status).toBe("up-to-date");
    expect(asked).toEqual([
      "https://registry-1.docker.io/v2/moby/buildkit/manifests/v0.32.2-rootless",
      "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Amoby%2Fbuildkit%3Apull",
      "https://registry-1.docker.io/v2/moby/buildkit/manifests/v0.32.2-rootless",
    ]);
  });

  it("says offline plainly instead of failing, and treats a broken answer as unusable", async () => {
    const refused: Fetcher = () => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }));
    const offline = await checkImage(PINNED_IMAGES.minio, refused);
    expect(describePin(offline)).toBe(`image quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z: offline (could not reach quay.io (ECONNREFUSED)); the pin ${PINNED_IMAGES.minio.replace(/^.*@/, "")} was NOT checked.`);
    const url = "https://quay.io/v2/minio/mc/manifests/RELEASE.2025-08-13T08-35-41Z";
    const broken = await checkImage(PINNED_IMAGES.minioClient, fixtureFetcher({ [url]: { status: 200, headers: {} } }).fetcher);
    expect(broken).toMatchObject({ status: "invalid-answer", reason: `${url} sent no Docker-Content-Digest` });
  });

  it("reads digests from upstream checksum files and image references into their parts", () => {
    expect(digestFromChecksums(`${"A".repeat(64)} *docker-compose-linux-x86_64\n`, "docker-compose-linux-x86_64")).toBe("a".repeat(64));
    expect(digestFromChecksums(`${"a".repeat(64)}  other\n`, "docker-compose-linux-x86_64")).toBeUndefined();
    expect(parseImageReference(PINNED_IMAGES.node)).toEqual({ registry: "docker.io", repository: "library/node", tag: "20.19.5-bookworm-slim", digest: PINNED_IMAGES.node.replace(/^.*@/, "") });
    expect(parseImageReference("node:20")).toBeUndefined();
  });
});
