import { buildkitHostSchema, buildkitReleaseSchema, type BuildkitHostInput } from "../../../components/buildkit-host/args";

/** A resolved host with `overrides` applied, as the stack config would produce it. */
export function hostSettings(overrides: Partial<BuildkitHostInput> = {}) {
  return buildkitHostSchema.parse({ name: "builder-1", connection: { type: "ssh", host: "builder-1.build.internal", useAgent: true }, arch: "amd64", ...overrides });
}

export const release = buildkitReleaseSchema.parse({});

/** A host with every feature the renderers have: TCP+mTLS, mirrors, GC rules, limits, frontends. */
export function fullHostSettings(rootless = false) {
  return hostSettings({
    allowedNetworks: ["10.20.0.0/16"],
    egressNetworks: ["10.0.0.0/8"],
    labels: { pool: "general" },
    buildkitd: {
      worker: { rootless, platforms: ["linux/amd64", "linux/arm64"], maxParallelism: 8 },
      gc: { reservedSpace: "20GB", maxUsedSpace: "400GB", minFreeSpace: "15%" },
      gcPolicies: [{ filters: ["type==source.local", "type==exec.cachemount"], keepDuration: "2d", maxUsedSpace: "50GB" }, { all: true, maxUsedSpace: "80%" }],
      grpc: { tcpAddress: "tcp://0.0.0.0:1234", debugAddress: "0.0.0.0:6060" },
      registryMirrors: { "docker.io": ["mirror.gcr.io"] },
      allowedFrontends: ["docker/dockerfile:1.26.0"],
      insecureEntitlements: rootless ? [] : ["network.host"],
      log: { format: "text", debug: true },
    },
    resources: { cpuQuota: "1400%", memoryHigh: "48GiB", memoryMax: "56GiB", ioBandwidth: [{ device: "/dev/nvme0n1", readBandwidth: "500MiB", writeBandwidth: "200MiB" }] },
  });
}
