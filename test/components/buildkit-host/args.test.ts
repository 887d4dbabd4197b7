import { describe, expect, it } from "vitest";
import { buildkitHostSchema, buildkitReleaseSchema } from "../../../components/buildkit-host/args";
import { renderHost } from "../../../components/buildkit-host/render-host";
import { fullHostSettings, release } from "./fixtures";

describe("buildkitHostSchema defaults", () => {
  it("resolves a bare host to the documented secure defaults", () => {
    expect(buildkitHostSchema.parse({ name: "builder-1", connection: { type: "local" } })).toEqual({
      name: "builder-1",
      connection: { type: "local" },
      arch: "auto",
      role: "shared",
      buildkitd: {
        rootDir: "/var/lib/buildkit",
        worker: { type: "oci", rootless: false, snapshotter: "auto", platforms: [], noProcessSandbox: false, maxParallelism: 4 },
        gc: { enabled: true, reservedSpace: "10GB", maxUsedSpace: "80%", minFreeSpace: "20%" },
        gcPolicies: [],
        history: { maxAge: "48h", maxEntries: 50 },
        log: { format: "json", level: "info", debug: false },
        grpc: { socketGroup: "buildkit", debugAddress: "127.0.0.1:6060" },
        tls: { mode: "generate", serverNames: [], validityHours: 8760 },
        registryMirrors: {},
        allowedFrontends: ["docker/dockerfile"],
        insecureEntitlements: [],
      },
      resources: { cpuQuota: "200%", cpuWeight: 100, memoryHigh: "6GiB", memoryMax: "8GiB", ioWeight: 100, ioBandwidth: [], tasksMax: 4096, limitNofile: 1048576 },
      allowedNetworks: ["localhost"],
      egressNetworks: ["any"],
      rootlessUser: "buildkit",
      insightsExporter: { listenAddress: "127.0.0.1:9469" },
      purgeCacheOnDelete: false,
      labels: {},
    });
    expect(buildkitReleaseSchema.parse({})).toEqual({ version: "v0.32.2", downloadBaseUrl: "https://github.com/moby/buildkit/releases/download", sha256: {}, download: { connectTimeoutSeconds: 10, maxTimeSeconds: 600, lowSpeedBytesPerSecond: 1024, lowSpeedSeconds: 30, attempts: 3, backoffSeconds: 2 } });
  });

  it("renders byte-identical files for the same settings", () => {
    const options = { tls: true, cacheCredentials: true, exporterProgram: true };
    expect(JSON.stringify(renderHost(fullHostSettings(), release, options))).toBe(JSON.stringify(renderHost(fullHostSettings(), release, options)));
    expect(JSON.stringify(renderHost(fullHostSettings(true), release, options))).toBe(JSON.stringify(renderHost(fullHostSettings(true), release, options)));
  });
});
