import { parse } from "smol-toml";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILDKIT_KEY_CATALOGUE, findCatalogueKey, leafKeyPaths, unknownOrDeprecatedKeys } from "../../lib/buildkitd-keys";

describe("BUILDKIT_KEY_CATALOGUE", () => {
  it("accepts every key of the config buildkitd v0.32.2 ran with (fixture)", () => {
    const fixture = parse(readFileSync(join(__dirname, "../fixtures/buildkit-v0.32.2/buildkitd.toml"), "utf8")) as Record<string, unknown>;
    expect(unknownOrDeprecatedKeys(fixture)).toEqual([]);
  });

  it("covers the upstream sections, quoted frontend names and user-chosen map keys", () => {
    for (const key of ["grpc.tls.ca", "worker.oci.max-parallelism", "worker.oci.gcpolicy.keepDuration", "registry.*.mirrors", 'frontend."gateway.v0".allowedRepositories', "history.maxEntries", "log.level", "system.maxRegistryConcurrency"]) {
      expect(BUILDKIT_KEY_CATALOGUE[key], key).toBeDefined();
    }
    expect(findCatalogueKey(["registry", "docker.io", "keypair", "cert"])).toBe("registry.*.keypair.cert");
    expect(findCatalogueKey(["worker", "oci", "labels", "pool"])).toBe("worker.oci.labels.*");
  });

  it("flags typos and deprecated keys, which buildkitd would silently ignore or misread", () => {
    const doc = parse('debug = true\n[grpc]\ndebugAdress = "x"\n[worker.oci]\ngckeepstorage = 1\n[[worker.oci.gcpolicy]]\nkeepBytes = 1\nall = true\n') as Record<string, unknown>;
    expect(unknownOrDeprecatedKeys(doc)).toEqual(["debug", "grpc.debugAdress", "worker.oci.gckeepstorage", "worker.oci.gcpolicy.keepBytes"]);
    expect(leafKeyPaths(doc)).toContainEqual(["worker", "oci", "gcpolicy", "all"]);
  });
});
