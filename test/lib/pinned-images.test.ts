import { describe, expect, it } from "vitest";
import { DEV_IMAGES } from "../../components/dev-farm";
import { SBOM_GENERATOR } from "../../components/production-builder";
import { PINNED_IMAGES, PLUGIN_DIGESTS, PLUGIN_VERSIONS, SUPPORTED_ARCHES } from "../../lib/versions";

describe("lib/versions.ts pins", () => {
  it("pins every image as name:tag@sha256:<64 hex>", () => {
    for (const reference of Object.values(PINNED_IMAGES)) expect(reference, reference).toMatch(/^[a-z0-9.-]+\/[a-z0-9._/-]+:[\w.-]+@sha256:[a-f0-9]{64}$/);
  });

  it("is where the dev farm's images and the gate's SBOM generator come from", () => {
    for (const image of Object.values(DEV_IMAGES)) expect(Object.values(PINNED_IMAGES)).toContain(image);
    expect(SBOM_GENERATOR).toBe(PINNED_IMAGES.sbomGenerator);
  });

  it("pins a sha256 for every default plugin version on every supported architecture", () => {
    for (const [name, version] of Object.entries(PLUGIN_VERSIONS)) {
      for (const arch of SUPPORTED_ARCHES) expect(PLUGIN_DIGESTS[name]?.[version]?.[arch], `${name} ${version} ${arch}`).toMatch(/^[a-f0-9]{64}$/);
    }
  });
});
