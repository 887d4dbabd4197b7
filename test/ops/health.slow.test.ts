import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePki, type TestPki } from "./support/certificates";
import { fakeOutputs, writeFakeBuildctl, type FarmEndpoints } from "./support/fake-farm";
import { freePort, startHttp, startPrometheus, waitFor, type RunningPrometheus } from "./support/local-servers";

const REPO = path.resolve(__dirname, "../..");
const BUILDKITD_METRICS = readFileSync(path.join(REPO, "test/fixtures/buildkit-v0.32.2/buildkitd-v0.32.2-metrics.txt"), "utf8");

/** What the fake builder-1 host reports; `pressured` flips every utilisation figure past its limit. */
const state = { pressured: false, started: Date.now() / 1000 };

function nodeMetrics(): string {
  const cpuWaiting = state.pressured ? 0.95 : 0.05;
  const elapsed = Date.now() / 1000 - state.started;
  return [
    `node_filesystem_avail_bytes{mountpoint="/",fstype="ext4"} ${state.pressured ? 2e9 : 60e9}`,
    `node_filesystem_size_bytes{mountpoint="/",fstype="ext4"} 100e9`,
    `node_memory_MemAvailable_bytes ${state.pressured ? 0.5e9 : 6e9}`,
    `node_memory_MemTotal_bytes 8e9`,
    `node_pressure_cpu_waiting_seconds_total ${(elapsed * cpuWaiting).toFixed(3)}`,
    "",
  ].join("\n");
}

function exporterMetrics(): string {
  return [`buildkit_insights_up 1`, `buildkit_insights_cache_disk_usage_bytes ${state.pressured ? 9.8e9 : 4e9}`, `buildkit_insights_cache_gc_max_used_bytes 10e9`, ""].join("\n");
}

function frontMetrics(): string {
  return [`haproxy_backend_current_queue{proxy="builders"} ${state.pressured ? 7 : 0}`, ""].join("\n");
}

type Run = { code: number; stdout: string; stderr: string };

function health(outputs: unknown, extra: string[], env: Record<string, string> = {}): Promise<Run> {
  const file = path.join(work, `outputs-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(outputs));
  return new Promise((resolve) => {
    execFile("npx", ["tsx", "ops/health/main.ts", "--outputs", file, "--buildctl", buildctl, ...extra], { cwd: REPO, env: { ...process.env, ...env }, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr }),
    );
  });
}

type Check = { component: string; check: string; ok: boolean; measured: string; failedStep?: string; remedy?: string };
const byName = (run: Run): Map<string, Check> => new Map((JSON.parse(run.stdout) as { checks: Check[] }).checks.map((c) => [`${c.component}/${c.check}`, c]));

let work: string;
let buildctl: string;
let pki: TestPki;
let prometheus: RunningPrometheus;
let emptyPrometheus: RunningPrometheus;
let s3: S3rver;
let s3Endpoint: string;
let builderServer: tls.Server;
let builderPort: number;
let deadPort: number;
let fakes: Awaited<ReturnType<typeof startHttp>>;
let farm: FarmEndpoints;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "ops-health-"));
  buildctl = writeFakeBuildctl(work);
  pki = makePki(work, "builder.test", 400);
  builderServer = tls.createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: true }, (socket) => socket.end());
  await new Promise<void>((resolve) => builderServer.listen(0, "127.0.0.1", resolve));
  builderPort = (builderServer.address() as { port: number }).port;
  deadPort = await freePort();

  fakes = await startHttp((req, res) => {
    const url = req.url ?? "";
    const send = (status: number, body: string, type = "application/json"): void => void res.writeHead(status, { "content-type": type }).end(body);
    if (url === "/buildkitd") return send(200, BUILDKITD_METRICS, "text/plain");
    if (url === "/exporter") return send(200, exporterMetrics(), "text/plain");
    if (url === "/node") return send(200, nodeMetrics(), "text/plain");
    if (url === "/front") return send(200, frontMetrics(), "text/plain");
    if (url === "/am/api/v2/status") return send(200, JSON.stringify({ config: { original: "route:\n  receiver: default\n  routes:\n    - receiver: critical\nreceivers:\n  - name: default\n" } }));
    if (url === "/am-unrouted/api/v2/status") return send(200, JSON.stringify({ config: { original: "receivers: []\n" } }));
    if (url === "/api/dashboards/uid/buildfarm-overview") {
      const ok = req.headers.authorization === `Basic ${Buffer.from("admin:admin-password").toString("base64")}`;
      return ok ? send(200, JSON.stringify({ dashboard: { uid: "buildfarm-overview" } })) : send(401, "{}");
    }
    send(404, "{}");
  });
  const target = (job: string, metricsPath: string, builder: string, address: string): string =>
    `  - job_name: ${job}-${builder}\n    metrics_path: ${metricsPath}\n    static_configs: [{ targets: ["${address}"], labels: { job: ${job}, builder: ${builder} } }]\n`;
  const live = `127.0.0.1:${fakes.port}`;
  const dead = `127.0.0.1:${deadPort}`;
  const config =
    `global: { scrape_interval: 1s }\nscrape_configs:\n` +
    target("buildkitd", "/buildkitd", "builder-1", live) + target("buildkit-insights", "/exporter", "builder-1", live) + target("node", "/node", "builder-1", live) +
    target("buildkitd", "/buildkitd", "builder-2", dead) + target("buildkit-insights", "/exporter", "builder-2", dead) + target("node", "/node", "builder-2", dead) +
    `  - job_name: pool-front\n    metrics_path: /front\n    static_configs: [{ targets: ["${live}"], labels: { job: buildfarm-pool-front, pool: shared } }]\n`;
  // job labels set through static_configs keep one job name per builder in the scrape pools while
  // the series carry the farm's job names, as the monitoring component's config does.
  prometheus = await startPrometheus(config.replace(/labels: \{ job: ([\w-]+), /g, "labels: { job: $1, "));
  emptyPrometheus = await startPrometheus("global: { scrape_interval: 1s }\nscrape_configs: []\n");

  const s3Port = await freePort();
  s3 = new S3rver({ port: s3Port, address: "127.0.0.1", silent: true, directory: path.join(work, "s3"), configureBuckets: [{ name: "cache", configs: [] }] });
  await s3.run();
  s3Endpoint = `http://127.0.0.1:${s3Port}`;

  farm = {
    builders: [{ name: "builder-1", port: builderPort }],
    prometheusUrl: prometheus.url,
    alertmanagerUrl: `${fakes.url}/am`,
    grafanaUrl: fakes.url,
    dashboards: [{ uid: "buildfarm-overview", title: "Build farm overview" }],
    s3Endpoint,
    bucket: "cache",
  };
  const instant = async (expr: string): Promise<number> => {
    const answer = (await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
    return Number(answer.data.result[0]?.value[1] ?? NaN);
  };
  await waitFor("builder-1 scraped twice", async () => (await instant(`count(rate(node_pressure_cpu_waiting_seconds_total{builder="builder-1"}[5m]))`)) === 1 && (await instant(`count(up{builder="builder-1"} == 1)`)) === 3, 100, 300);
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await emptyPrometheus?.stop();
  await s3?.close();
  await fakes?.close();
  builderServer?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("npm run health", () => {
  it("passes every check against a healthy farm and leaves no probe object behind", async () => {
    const run = await health(fakeOutputs(pki, farm), ["--json"]);
    const checks = byName(run);
    expect([...checks.values()].filter((c) => !c.ok)).toEqual([]);
    expect(run.code).toBe(0);
    expect([...checks.keys()]).toEqual([
      "builder builder-1/debug workers", "builder builder-1/version", "builder builder-1/certificates",
      "prometheus/targets up", "prometheus/job buildkitd samples", "prometheus/job buildkit-insights samples", "prometheus/job node samples",
      "alertmanager/route", "grafana/dashboards", "cache/write/read/delete probe", "cache/size",
      "utilisation/disk free", "utilisation/cache vs GC cap", "utilisation/memory used", "utilisation/CPU pressure", "utilisation/queue wait",
    ]);
    expect(checks.get("builder builder-1/version")?.measured).toBe("v0.32.2");
    expect(checks.get("builder builder-1/certificates")?.measured).toMatch(/^server certificate: 39\d days left$/);
    expect(checks.get("utilisation/disk free")?.measured).toBe("worst builder=builder-1: 60.0% free (limit 10.0% free)");
    expect(checks.get("utilisation/cache vs GC cap")?.measured).toBe("worst builder=builder-1: 40.0% (limit 90.0%)");
    const listing = await (await fetch(`${s3Endpoint}/cache?list-type=2&prefix=buildkit-cache/`)).text();
    expect(listing).not.toContain("<Key>");
  }, 90_000);

  it("prints a table and exits 1 naming the failed step of every broken component", async () => {
    const outputs = fakeOutputs(pki, {
      ...farm,
      builders: [{ name: "builder-1", port: builderPort }, { name: "builder-2", port: deadPort }],
      alertmanagerUrl: `${fakes.url}/am-unrouted`,
      dashboards: [...farm.dashboards, { uid: "gone", title: "Gone" }],
      bucket: "no-such-bucket",
    });
    const run = await health(outputs, ["--json", "--timeout", "3", "--cert-min-days", "3000"], { FAKE_BUILDKIT_VERSION: "v0.31.0", HANG_ADDR: `tcp://127.0.0.1:${deadPort}` });
    expect(run.code).toBe(1);
    const checks = byName(run);
    const step = (key: string): string | undefined => checks.get(key)?.failedStep;
    expect(step("builder builder-1/version")).toBe("version equals pinned v0.32.2");
    expect(checks.get("builder builder-1/version")?.measured).toBe("v0.31.0");
    expect(step("builder builder-1/certificates")).toBe("certificate valid ≥ 3000 days");
    expect(step("builder builder-2/debug workers")).toBe("time limit");
    expect(step("builder builder-2/certificates")).toBe("TLS handshake");
    expect(step("prometheus/targets up")).toBe("target up");
    expect(checks.get("prometheus/targets up")?.measured).toMatch(/^3\/6 up: buildkitd\/builder-2 down/);
    expect(step("alertmanager/route")).toBe("route with a receiver");
    expect(step("grafana/dashboards")).toBe("GET /api/dashboards/uid/<uid>");
    expect(checks.get("grafana/dashboards")?.measured).toContain("Gone (HTTP 404)");
    expect(step("cache/write/read/delete probe")).toMatch(/^PutObject s3:\/\/no-such-bucket\/buildkit-cache\/health-probe\//);
    expect(step("cache/size")).toBe("ListObjectsV2 s3://no-such-bucket/buildkit-cache/");
    for (const c of checks.values()) if (!c.ok) expect(c.remedy ?? "").not.toBe("");
  }, 90_000);

  it("fails every utilisation check past its threshold and the cache size past its limit", async () => {
    state.pressured = true;
    await waitFor("pressured figures scraped", async () => {
      const run = (await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent("max(haproxy_backend_current_queue)")}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
      return run.data.result[0]?.value[1] === "7";
    }, 50, 300);
    await fetch(`${s3Endpoint}/cache/buildkit-cache/blobs/sha256-test`, { method: "PUT", body: "x".repeat(100) });
    const run = await health(fakeOutputs(pki, farm), ["--json", "--cache-size-limit", "64B"]);
    state.pressured = false;
    const checks = byName(run);
    expect(run.code).toBe(1);
    expect(checks.get("utilisation/disk free")?.failedStep).toBe("disk free within limit");
    expect(checks.get("utilisation/cache vs GC cap")?.failedStep).toBe("cache vs GC cap within limit");
    expect(checks.get("utilisation/memory used")?.measured).toBe("worst builder=builder-1: 93.8% (limit 90.0%)");
    expect(checks.get("utilisation/memory used")?.ok).toBe(false);
    expect(checks.get("utilisation/queue wait")?.measured).toBe("worst pool=shared: 7 queued (limit 0 queued)");
    expect(checks.get("cache/size")?.measured).toBe("100 B in 1 objects of 64 B");
    expect(checks.get("cache/size")?.failedStep).toBe("size ≤ buildfarm:cache.sizeLimit");
  }, 90_000);

  it("fails the Prometheus checks against a Prometheus that scrapes nothing", async () => {
    const run = await health(fakeOutputs(pki, { ...farm, prometheusUrl: emptyPrometheus.url }), ["--json"]);
    const checks = byName(run);
    expect(run.code).toBe(1);
    expect(checks.get("prometheus/targets up")?.measured).toBe("0/3 up: buildkitd/builder-1 missing; buildkit-insights/builder-1 missing; node/builder-1 missing");
    expect(checks.get("prometheus/job node samples")?.failedStep).toBe('query count({job="node"})');
    expect(checks.get("utilisation/disk free")?.failedStep).toBe("query disk free");
  }, 90_000);

  it("prints the table for people and exits 2 on bad arguments", async () => {
    const table = await health(fakeOutputs(pki, farm), []);
    expect(table.stdout).toMatch(/^component\s+check\s+result\s+measured/);
    expect(table.stdout).toContain("healthy: 16 checks passed");
    const bad = await health(fakeOutputs(pki, farm), ["--timeout", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--timeout must be a number from 1 to 600 (got "soon")');
  }, 90_000);
});
