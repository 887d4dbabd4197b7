import { describe, expect, it } from "vitest";
import { buildkitReleaseSchema } from "../../components/buildkit-host/args";
import { BUILDKIT_VERSION, buildkitProvenanceUrl, buildkitTarballName, buildkitTarballUrl, compareVersions, isStableTag } from "../../lib/versions";

describe("versions manifest", () => {
  it("pins BuildKit v0.32.2 and the release schema defaults to it", () => {
    expect(BUILDKIT_VERSION).toBe("v0.32.2");
    expect(buildkitReleaseSchema.parse({}).version).toBe(BUILDKIT_VERSION);
  });

  it("names the release tarballs and their provenance per architecture", () => {
    expect(buildkitTarballName("v0.32.2", "amd64")).toBe("buildkit-v0.32.2.linux-amd64.tar.gz");
    expect(buildkitTarballUrl("https://github.com/moby/buildkit/releases/download/", "v0.32.2", "arm64")).toBe("https://github.com/moby/buildkit/releases/download/v0.32.2/buildkit-v0.32.2.linux-arm64.tar.gz");
    expect(buildkitProvenanceUrl("https://m.internal", "v0.32.2", "amd64")).toBe("https://m.internal/v0.32.2/buildkit-v0.32.2.linux-amd64.tar.gz.provenance.json");
  });

  it("orders versions numerically and knows stable tags", () => {
    expect(compareVersions("v0.32.10", "v0.32.2")).toBeGreaterThan(0);
    expect(compareVersions("v0.32.2", "v0.32.2")).toBe(0);
    expect(compareVersions("v0.31.9", "v0.32.0")).toBeLessThan(0);
    expect(isStableTag("v0.32.2")).toBe(true);
    expect(isStableTag("v0.33.0-rc1")).toBe(false);
  });
});
