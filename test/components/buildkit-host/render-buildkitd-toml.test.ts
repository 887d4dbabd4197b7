import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { buildkitdTomlDocument, renderBuildkitdToml } from "../../../components/buildkit-host/render-buildkitd-toml";
import { findCatalogueKey, leafKeyPaths, tomlKeyPath, BUILDKIT_KEY_CATALOGUE } from "../../../lib/buildkitd-keys";
import { fullHostSettings, hostSettings } from "./fixtures";

describe("renderBuildkitdToml", () => {
  it("renders every setting with keys buildkitd v0.32.2 reads, and parses back", () => {
    const host = fullHostSettings();
    const text = renderBuildkitdToml(host.buildkitd, { labels: host.labels });
    const parsed = parse(text) as Record<string, any>;
    expect(parsed.root).toBe("/var/lib/buildkit");
    expect(parsed["insecure-entitlements"]).toEqual(["network.host"]);
    expect(parsed.log).toEqual({ format: "text", level: "debug" });
    expect(parsed.grpc.address).toEqual(["unix:///run/buildkit/buildkitd.sock", "tcp://0.0.0.0:1234"]);
    expect(parsed.grpc.debugAddress).toBe("0.0.0.0:6060");
    expect(parsed.grpc.tls).toEqual({ ca: "/etc/buildkit/tls/ca.pem", cert: "/etc/buildkit/tls/server.pem", key: "/etc/buildkit/tls/server-key.pem" });
    expect(parsed.worker.oci).toMatchObject({ enabled: true, platforms: ["linux/amd64", "linux/arm64"], "max-parallelism": 8, gc: true, reservedSpace: 20_000_000_000, maxUsedSpace: 400_000_000_000, minFreeSpace: "15%", labels: { pool: "general" } });
    expect(parsed.worker.oci.gcpolicy).toEqual([
      { filters: ["type==source.local", "type==exec.cachemount"], keepDuration: 172800, maxUsedSpace: 50_000_000_000 },
      { all: true, maxUsedSpace: "80%" },
    ]);
    expect(parsed.worker.containerd).toEqual({ enabled: false });
    expect(parsed.registry["docker.io"]).toEqual({ mirrors: ["mirror.gcr.io"] });
    expect(parsed.frontend["gateway.v0"]).toEqual({ enabled: true, allowedRepositories: ["docker/dockerfile"] });
    expect(parsed.history).toEqual({ maxAge: 172800, maxEntries: 50 });
  });

  it("emits no key outside the v0.32.2 catalogue and no deprecated key", () => {
    for (const host of [fullHostSettings(), fullHostSettings(true), hostSettings(), hostSettings({ buildkitd: { worker: { type: "containerd" } } })]) {
      const parsed = parse(renderBuildkitdToml(host.buildkitd, { labels: host.labels })) as Record<string, unknown>;
      const paths = leafKeyPaths(parsed);
      expect(paths.length).toBeGreaterThan(15);
      for (const path of paths) {
        const key = findCatalogueKey(path);
        expect(key, tomlKeyPath(path)).toBeDefined();
        expect(BUILDKIT_KEY_CATALOGUE[key as string]?.deprecated, tomlKeyPath(path)).toBeUndefined();
      }
    }
  });

  it("has no [grpc.tls] and only the Unix socket without a TCP listener", () => {
    const parsed = parse(renderBuildkitdToml(hostSettings().buildkitd)) as Record<string, any>;
    expect(parsed.grpc.address).toEqual(["unix:///run/buildkit/buildkitd.sock"]);
    expect(parsed.grpc.tls).toBeUndefined();
    expect(parsed["insecure-entitlements"]).toEqual([]);
  });

  it("takes paths for a rootless container and extra sections other components need", () => {
    const host = hostSettings({ buildkitd: { rootDir: "/home/user/.local/share/buildkit", worker: { rootless: true } } });
    const parsed = parse(renderBuildkitdToml(host.buildkitd, { unixSocket: "unix:///run/user/1000/buildkit/buildkitd.sock", extra: { registry: { "minio:9000": { http: true } } } })) as Record<string, any>;
    expect(parsed.root).toBe("/home/user/.local/share/buildkit");
    expect(parsed.grpc.address).toEqual(["unix:///run/user/1000/buildkit/buildkitd.sock"]);
    expect(parsed.registry["minio:9000"]).toEqual({ http: true });
    expect(parsed.worker.oci.rootless).toBe(true);
  });

  it("refuses extra keys buildkitd would silently ignore", () => {
    expect(() => buildkitdTomlDocument(hostSettings().buildkitd, { extra: { grpc: { debugAdress: "x" }, worker: { oci: { gckeepstorage: 1 } } } })).toThrow(
      "buildkitd.toml: buildkitd v0.32.2 would ignore or no longer honours these keys: grpc.debugAdress, worker.oci.gckeepstorage",
    );
  });

  it("is byte-identical for the same settings", () => {
    expect(renderBuildkitdToml(fullHostSettings().buildkitd)).toBe(renderBuildkitdToml(fullHostSettings().buildkitd));
  });
});
