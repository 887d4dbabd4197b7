import { describe, expect, it } from "vitest";
import { buildSourcePolicy, normalizeImageName, renderSourcePolicy, sourcePolicyAllows } from "../../../components/production-builder/render-source-policy";

const DIGEST = `sha256:${"d".repeat(64)}`;
const SETTINGS = { allowedRegistries: ["ghcr.io/acme", "docker.io/library"], requireDigest: false, pins: {}, sbomGenerator: "docker/buildkit-syft-scanner:stable-1" };

describe("renderSourcePolicy", () => {
  it("denies every image, then allows the registries, the pinned frontend and the SBOM generator (last match wins)", () => {
    expect(JSON.parse(renderSourcePolicy(SETTINGS, ["docker/dockerfile:1.26.0"]))).toEqual({
      rules: [
        { action: "DENY", selector: { identifier: "docker-image://*" } },
        { action: "ALLOW", selector: { identifier: "docker-image://docker.io/library/*" } },
        { action: "ALLOW", selector: { identifier: "docker-image://ghcr.io/acme/*" } },
        { action: "ALLOW", selector: { identifier: "docker-image://docker.io/docker/buildkit-syft-scanner:stable-1" } },
        { action: "ALLOW", selector: { identifier: "docker-image://docker.io/docker/buildkit-syft-scanner:stable-1@sha256:*" } },
        { action: "ALLOW", selector: { identifier: "docker-image://docker.io/docker/dockerfile:1.26.0" } },
        { action: "ALLOW", selector: { identifier: "docker-image://docker.io/docker/dockerfile:1.26.0@sha256:*" } },
      ],
    });
  });

  it("requires digests when asked and turns tag pins into CONVERT rules", () => {
    const policy = buildSourcePolicy({ allowedRegistries: ["docker.io/library"], requireDigest: true, pins: { "alpine:3.20": DIGEST } }, ["docker/dockerfile:1.26.0"]);
    expect(policy.rules).toContainEqual({ action: "ALLOW", selector: { identifier: "docker-image://docker.io/library/*@sha256:*" } });
    expect(policy.rules.at(-1)).toEqual({
      action: "CONVERT",
      selector: { identifier: "docker-image://docker.io/library/alpine:3.20" },
      updates: { identifier: `docker-image://docker.io/library/alpine:3.20@${DIGEST}` },
    });
  });

  it("is byte-identical for the same settings in any order", () => {
    const a = renderSourcePolicy(SETTINGS, ["docker/dockerfile:1.26.0"]);
    const b = renderSourcePolicy({ ...SETTINGS, allowedRegistries: [...SETTINGS.allowedRegistries].reverse() }, ["docker/dockerfile:1.26.0", "docker/dockerfile:1.26.0"]);
    expect(b).toBe(a);
    expect(a.endsWith("}\n")).toBe(true);
  });

  it("normalizes references the way BuildKit names them", () => {
    expect(normalizeImageName("alpine:3.20")).toBe("docker.io/library/alpine:3.20");
    expect(normalizeImageName("docker/dockerfile:1.26.0")).toBe("docker.io/docker/dockerfile:1.26.0");
    expect(normalizeImageName("ghcr.io/acme/base:1")).toBe("ghcr.io/acme/base:1");
    expect(normalizeImageName("localhost/x:1")).toBe("localhost/x:1");
    expect(normalizeImageName("registry:5000/x:1")).toBe("registry:5000/x:1");
  });

  describe("evaluated like BuildKit's engine", () => {
    const open = buildSourcePolicy(SETTINGS, ["docker/dockerfile:1.26.0"]);
    const strict = buildSourcePolicy({ ...SETTINGS, requireDigest: true }, ["docker/dockerfile:1.26.0"]);
    const cases: Array<[string, boolean, boolean]> = [
      ["alpine:3.20", true, false],
      [`alpine:3.20@${DIGEST}`, true, true],
      ["ghcr.io/acme/base:1", true, false],
      [`ghcr.io/acme/base@${DIGEST}`, true, true],
      ["ghcr.io/other/base:1", false, false],
      ["quay.io/acme/base:1", false, false],
      ["someone/base:1", false, false],
      ["docker/dockerfile:1.26.0", true, true],
      ["docker/dockerfile:1", false, false],
      ["docker/dockerfile:1.25.0", false, false],
      ["docker/buildkit-syft-scanner:stable-1", true, true],
      ["docker/buildkit-syft-scanner:latest", false, false],
    ];
    for (const [reference, allowed, allowedWithDigests] of cases) {
      it(`${allowed ? "allows" : "denies"} ${reference}${allowedWithDigests === allowed ? "" : ` (${allowedWithDigests ? "allows" : "denies"} when digests are required)`}`, () => {
        expect(sourcePolicyAllows(open, reference)).toBe(allowed);
        expect(sourcePolicyAllows(strict, reference)).toBe(allowedWithDigests);
      });
    }
  });
});
