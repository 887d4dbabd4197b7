import { describe, expect, it } from "vitest";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { readStackFile, stackConfigFromObject } from "../../lib/plan/stack-file";

/** The stack file's config as plain objects, to mutate one key at a time. */
function stackObject(stack: "dev" | "prod"): Record<string, unknown> {
  const { config } = readStackFile(stack);
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, /^[[{]/.test(v) ? JSON.parse(v) : v]));
}

function problemsOf(values: Record<string, unknown>): string[] {
  try {
    loadStackConfig(stackConfigFromObject(values).config);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

/** Applies `mutate` to a deep copy of the stack's config and returns the problems. */
function problemsAfter(stack: "dev" | "prod", mutate: (config: Record<string, any>) => void): string[] {
  const config = structuredClone(stackObject(stack));
  mutate(config);
  return problemsOf(config);
}

describe("loadStackConfig", () => {
  it("accepts both shipped stack files", () => {
    expect(problemsOf(stackObject("dev"))).toEqual([]);
    expect(problemsOf(stackObject("prod"))).toEqual([]);
  });

  it("fills secure defaults for a minimal dev config", () => {
    const config = loadStackConfig(stackConfigFromObject({ "buildfarm:environment": "dev" }).config);
    expect(config.docker.bindAddress).toBe("127.0.0.1");
    expect(config.hosts).toEqual([]);
    expect(config.plugins.required.map((p) => p.name)).toEqual(["buildx", "compose"]);
  });

  it("ignores keys of other namespaces, such as aws:region", () => {
    expect(problemsOf({ ...stackObject("dev"), "aws:region": "eu-west-1" })).toEqual([]);
  });

  const cases: Array<[string, "dev" | "prod", (c: Record<string, any>) => void, string]> = [
    ["a missing environment", "dev", (c) => delete c["buildfarm:environment"], 'buildfarm:environment: expected one of "dev", "prod", got nothing'],
    ["an unknown environment", "dev", (c) => (c["buildfarm:environment"] = "staging"), 'buildfarm:environment: expected one of "dev", "prod", got string "staging"'],
    ["an unknown top-level key", "dev", (c) => (c["buildfarm:hostz"] = []), "buildfarm:hostz: unknown key"],
    ["an unknown nested key (typo)", "prod", (c) => (c["buildfarm:hosts"][0].resources.memoryMaxx = "8GiB"), "buildfarm:hosts[0].resources.memoryMaxx: unknown key"],
    ["a size that is not a size", "prod", (c) => (c["buildfarm:hosts"][1].resources.memoryMax = "lots"), 'buildfarm:hosts[1].resources.memoryMax: expected a size like "8GiB", got "lots"'],
    ["a number where a list is expected", "prod", (c) => (c["buildfarm:hosts"] = 3), "buildfarm:hosts: expected array, got number 3"],
    ["a string where a number is expected", "prod", (c) => (c["buildfarm:hosts"][0].resources.tasksMax = "many"), 'buildfarm:hosts[0].resources.tasksMax: expected number, got string "many"'],
    ["an out-of-range tasksMax", "prod", (c) => (c["buildfarm:hosts"][0].resources.tasksMax = 1), "buildfarm:hosts[0].resources.tasksMax: expected a number >= 16, got number 1"],
    ["a GC percentage over 100", "prod", (c) => (c["buildfarm:hosts"][0].buildkitd.gc.maxUsedSpace = "120%"), 'buildfarm:hosts[0].buildkitd.gc.maxUsedSpace: expected a size like "20GB" or a percentage like "10%" (0-100), got "120%"'],
    ["an unknown worker type", "prod", (c) => (c["buildfarm:hosts"][0].buildkitd.worker = { type: "runc" }), 'buildfarm:hosts[0].buildkitd.worker.type: expected one of "oci", "containerd", got string "runc"'],
    ["an unknown architecture", "prod", (c) => (c["buildfarm:hosts"][0].arch = "riscv64"), 'buildfarm:hosts[0].arch: expected one of "auto", "amd64", "arm64", got string "riscv64"'],
    ["an unknown entitlement", "prod", (c) => (c["buildfarm:hosts"][0].buildkitd.insecureEntitlements = ["root"]), 'buildfarm:hosts[0].buildkitd.insecureEntitlements[0]: expected one of "network.host", "security.insecure", "device", got string "root"'],
    ["a TCP listener without TLS", "prod", (c) => (c["buildfarm:hosts"][0].buildkitd.tls = { mode: "none" }), 'buildfarm:hosts[0].buildkitd.tls.mode: expected "generate" or "supplied": the TCP listener tcp://0.0.0.0:1234 requires mTLS'],
    ["a malformed TCP address", "prod", (c) => (c["buildfarm:hosts"][0].buildkitd.grpc.tcpAddress = "0.0.0.0:1234"), 'buildfarm:hosts[0].buildkitd.grpc.tcpAddress: expected an address like "tcp://0.0.0.0:1234"'],
    ["duplicate host names", "prod", (c) => (c["buildfarm:hosts"][1].name = "builder-1"), 'buildfarm:hosts[1].name: expected a unique host name, got "builder-1"'],
    ["a production host shared with the pool", "prod", (c) => (c["buildfarm:productionBuilder"].hosts[0].connection.host = "builder-1.build.internal"), 'buildfarm:productionBuilder.hosts[0].connection.host: expected a dedicated host, got "builder-1.build.internal"'],
    ["an ssh host with neither key nor agent", "prod", (c) => delete c["buildfarm:sshPrivateKey"], "buildfarm:hosts[0].connection.useAgent: expected useAgent: true or the secret buildfarm:sshPrivateKey"],
    ["a bad host name", "prod", (c) => (c["buildfarm:hosts"][0].name = "Builder_1"), 'buildfarm:hosts[0].name: expected a lower-case name like "builder-1"'],
    ["a port out of range", "prod", (c) => (c["buildfarm:hosts"][0].connection.port = 70000), "buildfarm:hosts[0].connection.port: expected a number <= 65535, got number 70000"],
    ["prod without a production builder", "prod", (c) => delete c["buildfarm:productionBuilder"], "buildfarm:productionBuilder: expected a productionBuilder section"],
    ["prod with an s3-compatible cache", "prod", (c) => (c["buildfarm:cache"] = { backend: "s3-compatible", bucket: "cache", endpoint: "https://minio.internal:9000" }), 'buildfarm:cache.backend: expected "aws" in prod, got "s3-compatible"'],
    ["prod without builder hosts", "prod", (c) => (c["buildfarm:hosts"] = []), "buildfarm:hosts: expected at least one builder host in prod, got none"],
    ["prod without an alert route", "prod", (c) => delete c["buildfarm:monitoring"].alerting.webhookUrl, "buildfarm:monitoring.alerting.webhookUrl: expected an alert route (webhookUrl or slackChannel) in prod, got nothing"],
    ["an aws cache without region", "prod", (c) => delete c["buildfarm:cache"].region, "buildfarm:cache.region: expected an AWS region"],
    ["retention of zero days", "prod", (c) => (c["buildfarm:cache"].retentionDays = 0), "buildfarm:cache.retentionDays: expected a whole number of days greater than 0"],
    ["retention shorter than touch_refresh allows", "prod", (c) => (c["buildfarm:cache"].retentionDays = 2), "buildfarm:cache.retentionDays: expected at least 3x touchRefresh (24h)"],
    ["an invalid bucket name", "prod", (c) => (c["buildfarm:cache"].bucket = "Acme_Cache"), "buildfarm:cache.bucket: expected an S3 bucket name"],
    ["an http cache endpoint in prod-like settings", "dev", (c) => (c["buildfarm:cache"].allowInsecureEndpoint = false), 'buildfarm:cache.endpoint: expected an https URL (http only with allowInsecureEndpoint: true in dev), got "http://minio:9000"'],
    ["existing monitoring without URLs", "dev", (c) => (c["buildfarm:monitoring"] = { mode: "existing" }), 'buildfarm:monitoring.prometheusUrl: expected a URL when monitoring.mode is "existing", got nothing'],
    ["a rootful production builder", "prod", (c) => (c["buildfarm:productionBuilder"].hosts[0].buildkitd.worker.rootless = false), "buildfarm:productionBuilder.hosts[0].buildkitd.worker.rootless: expected true: production builders run rootless"],
    ["a bad Docker host URL", "dev", (c) => (c["buildfarm:docker"].host = "/var/run/docker.sock"), 'buildfarm:docker.host: expected a Docker host like "unix:///var/run/docker.sock"'],
    ["a production exporter Prometheus cannot reach", "prod", (c) => (c["buildfarm:productionBuilder"].hosts[0].insightsExporter = { listenAddress: "127.0.0.1:9469" }), 'buildfarm:productionBuilder.hosts[0].insightsExporter.listenAddress: expected an address Prometheus can reach'],
    ["prod without pinned plugin digests", "prod", (c) => (c["buildfarm:plugins"] = { requirePinnedDigests: false }), "buildfarm:plugins.requirePinnedDigests: expected true in prod: every plugin version needs a pinned sha256, got false"],
    ["prod allowing plain-HTTP plugin mirrors", "prod", (c) => (c["buildfarm:plugins"] = { allowHttpMirrors: true }), "buildfarm:plugins.allowHttpMirrors: expected false in prod: plugin mirrors must be https://, got true"],
    ["a plugin version without a pin", "prod", (c) => (c["buildfarm:plugins"] = { required: [{ name: "buildx", version: "v0.31.0" }] }), "buildfarm:plugins.required[0].sha256.amd64: expected a sha256 pin for buildx v0.31.0 (linux/amd64)"],
    ["a bad BuildKit version pin", "prod", (c) => (c["buildfarm:buildkit"].version = "latest"), 'buildfarm:buildkit.version: expected a release tag like "v0.32.2"'],
  ];

  it.each(cases)("rejects %s", (_label, stack, mutate, expected) => {
    const problems = problemsAfter(stack, mutate);
    expect(problems.some((p) => p.startsWith(expected)), `problems were:\n${problems.join("\n")}`).toBe(true);
  });

  it("lists every offending key at once", () => {
    const problems = problemsAfter("prod", (c) => {
      c["buildfarm:hosts"][0].resources.memoryMax = "lots";
      c["buildfarm:hosts"][1].arch = "sparc";
      c["buildfarm:cache"].retentionDays = -1;
    });
    expect(problems.map((p) => p.split(":").slice(0, 2).join(":"))).toEqual(
      expect.arrayContaining(["buildfarm:hosts[0].resources.memoryMax", "buildfarm:hosts[1].arch", "buildfarm:cache.retentionDays"]),
    );
  });

  it("refuses an http:// BuildKit mirror in prod (the tarball would travel without TLS)", () => {
    const problems = problemsAfter("prod", (c) => {
      c["buildfarm:buildkit"] = { ...c["buildfarm:buildkit"], downloadBaseUrl: "http://mirror.internal/buildkit" };
    });
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining("buildfarm:buildkit.downloadBaseUrl: expected an https:// mirror in prod")]));
    expect(problemsAfter("dev", (c) => {
      c["buildfarm:buildkit"] = { downloadBaseUrl: "http://127.0.0.1:8080/buildkit" };
    }).filter((p) => p.includes("downloadBaseUrl"))).toEqual([]);
  });
});
