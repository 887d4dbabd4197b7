import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../config/errors";
import { loadStackConfig } from "../../../config/load";

const base = { name: "builder-1", connection: { type: "local" }, arch: "amd64" };

function problemsFor(host: Record<string, unknown>): string[] {
  try {
    loadStackConfig({ "buildfarm:environment": "dev", "buildfarm:hosts": JSON.stringify([{ ...base, ...host }]) });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("BuildkitHost settings: bad input", () => {
  it("rejects an unknown setting by its key", () => {
    expect(problemsFor({ buildkitd: { worker: { maxParalelism: 8 } } })).toContain(
      "buildfarm:hosts[0].buildkitd.worker.maxParalelism: unknown key (check the spelling; allowed keys are listed in the README's config reference)",
    );
  });

  it("rejects a size or percentage out of range", () => {
    expect(problemsFor({ buildkitd: { gc: { maxUsedSpace: "120%" } } })).toContain('buildfarm:hosts[0].buildkitd.gc.maxUsedSpace: expected a size like "20GB" or a percentage like "10%" (0-100), got "120%"');
    expect(problemsFor({ resources: { memoryMax: "lots" } })).toContain('buildfarm:hosts[0].resources.memoryMax: expected a size like "8GiB", got "lots"');
    expect(problemsFor({ resources: { memoryHigh: "16GiB", memoryMax: "8GiB" } })).toContain('buildfarm:hosts[0].resources.memoryHigh: expected at most memoryMax (8GiB), got "16GiB"');
    expect(problemsFor({ buildkitd: { worker: { maxParallelism: 0 } } })).toContain("buildfarm:hosts[0].buildkitd.worker.maxParallelism: expected a number >= 1, got number 0");
  });

  it("rejects a TCP listener without TLS", () => {
    expect(problemsFor({ buildkitd: { grpc: { tcpAddress: "tcp://0.0.0.0:1234" }, tls: { mode: "none" } } })).toContain(
      'buildfarm:hosts[0].buildkitd.tls.mode: expected "generate" or "supplied": the TCP listener tcp://0.0.0.0:1234 requires mTLS',
    );
  });

  it("rejects an entitlement that is not in the allowed list", () => {
    expect(problemsFor({ buildkitd: { insecureEntitlements: ["security.unsafe"] } })).toContain(
      'buildfarm:hosts[0].buildkitd.insecureEntitlements[0]: expected one of "network.host", "security.insecure", "device", got string "security.unsafe"',
    );
    expect(problemsFor({ buildkitd: { worker: { rootless: true }, insecureEntitlements: ["security.insecure"] } })).toContain(
      'buildfarm:hosts[0].buildkitd.insecureEntitlements: expected no "security.insecure" on a rootless daemon (it cannot grant it), got it',
    );
  });

  it("rejects an unsupported architecture", () => {
    expect(problemsFor({ arch: "riscv64" })).toContain('buildfarm:hosts[0].arch: expected one of "auto", "amd64", "arm64", got string "riscv64"');
  });

  it("accepts a valid host", () => {
    expect(problemsFor({ buildkitd: { grpc: { tcpAddress: "tcp://0.0.0.0:1234" } } })).toEqual([]);
  });

  it("deploys nothing after a validation error", async () => {
    const { runStack } = await import("../../../lib/plan/run-stack");
    await expect(runStack({ stack: "dev", config: { "buildfarm:environment": "dev", "buildfarm:hosts": JSON.stringify([{ ...base, arch: "riscv64" }]) } })).rejects.toThrow(
      /buildfarm:hosts\[0\]\.arch: expected one of/,
    );
  });
});
