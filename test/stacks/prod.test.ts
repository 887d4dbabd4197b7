import { beforeAll, describe, expect, it } from "vitest";
import { prodConfigWithHosts } from "../../scripts/bench-plan";
import { runStack, type StackRun } from "../../lib/plan/run-stack";
import { readStackFile, stackConfigFromObject } from "../../lib/plan/stack-file";

const byType = (run: StackRun, type: string) => run.resources.filter((r) => r.type === type);

async function runWithHosts(count: number): Promise<StackRun> {
  return runStack({ stack: "prod", ...stackConfigFromObject(prodConfigWithHosts(count)) });
}

describe("prod stack", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack({ stack: "prod", ...readStackFile("prod") });
  });

  it("composes a BuildkitHost per pool host, the ProductionBuilder, the AWS cache and PluginSets", () => {
    const hosts = byType(run, "buildfarm:index:BuildkitHost");
    expect(hosts.filter((h) => h.parent === null).map((h) => h.name)).toEqual(["host-builder-1", "host-builder-2", "host-builder-arm-1"]);
    expect(hosts.filter((h) => h.parent === "prod-builder").map((h) => h.name)).toEqual(["prod-builder-prod-builder-1"]);
    expect(byType(run, "buildfarm:index:ProductionBuilder").map((r) => r.name)).toEqual(["prod-builder"]);
    expect(byType(run, "buildfarm:index:DistributedCache").map((r) => (r.props as { backend: string }).backend)).toEqual(["aws"]);
    expect(byType(run, "buildfarm:index:PluginSet").map((r) => r.name)).toEqual(["plugins-builder-1", "plugins-builder-2", "plugins-builder-arm-1"]);
    expect(byType(run, "pulumi:providers:aws").map((p) => (p.props as { region: string }).region)).toEqual(["eu-west-1"]);
    // Two buckets: the cache and the audit store.
    expect(byType(run, "aws:s3/bucket:Bucket").map((b) => b.parent).sort()).toEqual(["prod-builder", "prod-cache"]);
  });

  it("installs the build-insights exporter beside every daemon Prometheus scrapes", () => {
    const hosts = byType(run, "buildfarm:index:BuildkitHost").map((h) => h.name);
    // Every host's release (one upload per host) carries the exporter program.
    const staged = new Set(byType(run, "buildfarm:index:BuildkitHost").filter((h) => (h.props as { managedFiles: string[] }).managedFiles.includes("exporter.js")).map((h) => h.name));
    expect(run.resources.filter((r) => r.name.endsWith("-release")).length).toBe(hosts.length);
    expect([...staged].sort()).toEqual([...hosts].sort());
    const monitoring = byType(run, "buildfarm:index:MonitoringStack")[0]!.props as { targets: Array<{ builder: string; role: string; exporterAddress?: string }> };
    expect(monitoring.targets.map((t) => `${t.builder}:${t.role}:${t.exporterAddress}`)).toEqual([
      "builder-1:shared:builder-1.build.internal:9469",
      "builder-2:shared:builder-2.build.internal:9469",
      "builder-arm-1:shared:builder-arm-1.build.internal:9469",
      // The production builder's targets are ProductionBuilder's hand-off (its exporter listens where its config says).
      "prod-builder-1:prod:prod-builder-1.release.internal:9469",
    ]);
  });

  it("refuses an SSH host whose metrics or exporter listen on loopback only, naming the key", async () => {
    const config = prodConfigWithHosts(1) as { "buildfarm:hosts": Array<Record<string, unknown>> };
    config["buildfarm:hosts"][0]!.insightsExporter = { listenAddress: "127.0.0.1:9469" };
    await expect(runStack({ stack: "prod", ...stackConfigFromObject(config) })).rejects.toThrow(
      'buildfarm:hosts[0].insightsExporter.listenAddress: expected an address Prometheus can reach, like "0.0.0.0:9469" (limited by allowedNetworks), got "127.0.0.1:9469"',
    );
  });

  it("runs host commands over SSH with the key as a secret", () => {
    const remote = run.resources.filter((r) => r.type.startsWith("command:remote:"));
    expect(remote.length).toBeGreaterThan(0);
    for (const command of remote) expect((command.props as { connection: unknown }).connection, command.name).toBe("[secret]");
    expect(run.resources.filter((r) => r.type.startsWith("command:local:"))).toEqual([]);
  });

  it("collects every component's artifacts under hosts/, prod/, plugins/, cache/ and kubernetes/", () => {
    const paths = run.artifacts.map((a) => a.path);
    for (const host of ["builder-1", "builder-2", "builder-arm-1"]) {
      expect(paths).toContain(`hosts/${host}/buildkitd.toml`);
      expect(paths).toContain(`plugins/${host}/plugin-audit.sh`);
    }
    expect(paths).toContain("prod/prod-builder-1/buildkitd.toml");
    expect(paths).toContain("prod/prod-build.sh");
    expect(paths).toContain("cache/lifecycle.json");
    expect(new Set(paths).size).toBe(paths.length);
    for (const path of paths) expect(path).toMatch(/^(hosts|prod|plugins|cache|monitoring|dashboards|kubernetes)\//);
  });

  it("grows by the same number of resources and artifacts for every added host (linear cost)", async () => {
    const [one, two, three] = [await runWithHosts(1), await runWithHosts(2), await runWithHosts(3)];
    const step = two.resources.length - one.resources.length;
    expect(step).toBeGreaterThan(10);
    expect(three.resources.length - two.resources.length).toBe(step);
    expect(three.artifacts.length - two.artifacts.length).toBe(two.artifacts.length - one.artifacts.length);
  });

  it("is deterministic", async () => {
    const again = await runStack({ stack: "prod", ...readStackFile("prod") });
    expect(JSON.stringify(again)).toBe(JSON.stringify(run));
  });

  it("never writes the SSH key placeholder anywhere", () => {
    expect(JSON.stringify(run)).not.toContain("plan-placeholder-secret");
    expect(JSON.stringify(run)).not.toContain("mock-secret-prod-cache-writer-key");
  });
});
