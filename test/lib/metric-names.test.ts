import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InsightsCollector } from "../../components/monitoring/exporter/collector";
import {
  BUILDKITD_METRICS,
  EXPORTER_METRICS,
  isKnownMetricName,
  metricNamesInPromql,
  NODE_METRICS,
  PLUGIN_METRICS,
} from "../../lib/metric-names";

const EXPOSITION = readFileSync(join(__dirname, "../fixtures/buildkit-v0.32.2/buildkitd-v0.32.2-metrics.txt"), "utf8");

/** Metric family names declared in a text exposition. */
function families(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? ""));
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

describe("metric names we rely on", () => {
  let nodeExporter: ChildProcess | undefined;
  afterAll(() => nodeExporter?.kill("SIGTERM"));

  it("buildkitd's exist in the recorded v0.32.2 exposition", () => {
    const declared = families(EXPOSITION);
    for (const name of Object.values(BUILDKITD_METRICS)) expect(declared, name).toContain(name);
  });

  it("the exporter's are exactly what its registry serves", async () => {
    const collector = new InsightsCollector({ run: async () => "", historyLimit: 5, maxLogFetchesPerScan: 0, certificates: {}, log: () => undefined, processMetrics: false });
    const served = (await collector.registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(served).toEqual(Object.values(EXPORTER_METRICS).sort());
  });

  it("node_exporter's are served by a live prometheus-node-exporter", async () => {
    const port = await freePort();
    const textfiles = mkdtempSync(join(tmpdir(), "textfiles-"));
    writeFileSync(join(textfiles, "plugins.prom"), "docker_cli_plugins_invalid 0\n");
    nodeExporter = spawn("prometheus-node-exporter", [`--web.listen-address=127.0.0.1:${port}`, `--collector.textfile.directory=${textfiles}`], { stdio: "ignore" });
    let text = "";
    for (let i = 0; i < 50 && text === ""; i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).catch(() => "");
    }
    rmSync(textfiles, { recursive: true, force: true });
    const declared = families(text);
    for (const name of Object.values(NODE_METRICS)) expect(declared, name).toContain(name);
  });

  it("the plugin metrics are valid exposition as PluginSet writes them", async () => {
    const { execFileSync } = await import("node:child_process");
    const textfile = [
      `# HELP ${PLUGIN_METRICS.pluginInfo} Docker CLI plugin found by docker info.`,
      `# TYPE ${PLUGIN_METRICS.pluginInfo} gauge`,
      `${PLUGIN_METRICS.pluginInfo}{name="buildx",status="ok",version="v0.30.1"} 1`,
      `# HELP ${PLUGIN_METRICS.pluginsInvalid} Invalid Docker CLI plugins.`,
      `# TYPE ${PLUGIN_METRICS.pluginsInvalid} gauge`,
      `${PLUGIN_METRICS.pluginsInvalid} 0`,
      "",
    ].join("\n");
    expect(() => execFileSync("promtool", ["check", "metrics"], { input: textfile })).not.toThrow();
  });

  it("isKnownMetricName accepts histogram series of known histograms and nothing invented", () => {
    expect(isKnownMetricName("buildkit_insights_build_duration_seconds_bucket")).toBe(true);
    expect(isKnownMetricName("buildkit_build_duration_seconds")).toBe(true);
    expect(isKnownMetricName("buildkit_cache_size_bytes")).toBe(false);
    expect(isKnownMetricName("up_bucket")).toBe(false);
    expect(isKnownMetricName("buildkit_build_duration_seconds_bucket")).toBe(false);
  });

  it("metricNamesInPromql ignores labels, functions, keywords and durations", () => {
    expect(metricNamesInPromql('sum by (builder, le) (rate(a_total{kind="cached",x=~"$y"}[5m] offset 7d)) / on (builder) b > 0.9 * 86400')).toEqual(["a_total", "b"]);
    expect(metricNamesInPromql('absent(up{job="buildkitd"}) or vector(0)')).toEqual(["up"]);
  });
});
