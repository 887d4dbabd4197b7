import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildExporter } from "../../../../scripts/build-exporter";

const FAKE_BUILDCTL = join(__dirname, "fake-buildctl.sh");
const FIXTURES = join(__dirname, "../../../fixtures/buildkit-v0.32.2");

/** Reads a sample value from Prometheus text exposition, e.g. `metric{label="x"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("build-insights exporter, end to end with a fake buildctl", () => {
  let dir: string;
  let exporter: ChildProcess;
  let address: string;
  const logLines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "insights-e2e-"));
    const bundle = await buildExporter(join(dir, "exporter.js"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-subj", "/CN=buildkitd",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    exporter = spawn(process.execPath, [bundle, "--listen", "127.0.0.1:0", "--buildctl", FAKE_BUILDCTL, "--buildctl-addr", "tcp://buildkitd.test:1234",
      "--tlscacert", "/etc/ca.pem", "--tlscert", "/etc/client.pem", "--tlskey", "/etc/client-key.pem", "--interval", "1s",
      "--certificate", `server=${join(dir, "cert.pem")}`], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", FAKE_FIXTURES: FIXTURES, FAKE_STATE: dir, FAKE_INITIAL_BUILDS: "2" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = createInterface({ input: exporter.stdout! });
    address = await new Promise<string>((resolve, reject) => {
      exporter.once("exit", (code) => reject(new Error(`exporter exited with ${code}`)));
      lines.on("line", (line) => {
        const event = JSON.parse(line) as Record<string, unknown>;
        logLines.push(event);
        if (event.event === "listening") resolve(String(event.address));
      });
    });
    // Wait for the second scan, which sees the three real builds that finished after start-up (the last is the cache-export failure).
    for (let i = 0; i < 100 && !logLines.some((l) => l.event === "cache_invalidation" && l.ref === "sgp7errtsi0dz8ttndcky3o2s"); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(() => {
    exporter?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves cache disk usage, reclaimable bytes and utilisation against the workers' GC limit", async () => {
    const res = await fetch(`http://${address}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(sample(text, 'buildkit_insights_cache_disk_usage_bytes{record_type="regular"}')).toBe(2125824);
    expect(sample(text, 'buildkit_insights_cache_disk_usage_bytes{record_type="source.local"}')).toBe(2019328);
    expect(sample(text, "buildkit_insights_cache_reclaimable_bytes")).toBe(4145152);
    expect(sample(text, "buildkit_insights_cache_gc_max_used_bytes")).toBe(5368709120);
    expect(sample(text, "buildkit_insights_cache_utilization_ratio")).toBeCloseTo(4145152 / 5368709120, 9);
    expect(sample(text, "buildkit_insights_up")).toBe(1);
  });

  it("counts only builds completed after start-up, with user-step hit ratios and durations", async () => {
    const text = await (await fetch(`http://${address}/metrics`)).text();
    // after start-up: the partial build (success), the failing RUN and the failed cache export (failures)
    expect(sample(text, 'buildkit_insights_builds_observed_total{status="success"}')).toBe(1);
    expect(sample(text, 'buildkit_insights_builds_observed_total{status="failure"}')).toBe(2);
    // user steps: partial 12 cached + 6 missed, failing 1 + 1, --no-cache export failure 0 + 18
    expect(sample(text, 'buildkit_insights_user_steps_total{result="cached"}')).toBe(13);
    expect(sample(text, 'buildkit_insights_user_steps_total{result="missed"}')).toBe(25);
    expect(sample(text, 'buildkit_insights_build_cache_hit_ratio_bucket{le="0.6",status="success"}')).toBe(0);
    expect(sample(text, 'buildkit_insights_build_cache_hit_ratio_bucket{le="0.7",status="success"}')).toBe(1);
    expect(sample(text, 'buildkit_insights_build_cache_hit_ratio_bucket{le="0.1",status="failure"}')).toBe(1);
    expect(sample(text, 'buildkit_insights_build_cache_hit_ratio_bucket{le="0.5",status="failure"}')).toBe(2);
    expect(sample(text, 'buildkit_insights_build_duration_seconds_count{status="success"}')).toBe(1);
    expect(sample(text, "buildkit_insights_build_logs_unavailable_total")).toBe(0);
    // history keeps all five records, including the two seen at start-up
    expect(sample(text, 'buildkit_insights_history_build_steps{ref="ifuk6q97yxoe1gwz53rzubf1q",kind="cached"}')).toBe(18);
    expect(sample(text, 'buildkit_insights_history_build_steps{ref="ifuk6q97yxoe1gwz53rzubf1q",kind="total"}')).toBe(22);
    const history = (await (await fetch(`http://${address}/history`)).json()) as Array<{ ref: string }>;
    expect(history).toHaveLength(5);
  });

  it("logs each invalidation with its missed steps, counts them by kind, and counts the failed cache export", async () => {
    const text = await (await fetch(`http://${address}/metrics`)).text();
    expect(sample(text, 'buildkit_insights_cache_invalidations_total{kind="partial"}')).toBe(2);
    expect(sample(text, 'buildkit_insights_cache_invalidations_total{kind="full"}')).toBe(1);
    expect(sample(text, 'buildkit_insights_cache_errors_total{operation="export",backend="s3"}')).toBe(1);
    expect(sample(text, 'buildkit_insights_cache_errors_total{operation="import",backend="s3"}')).toBe(0);
    const events = logLines.filter((l) => l.event === "cache_invalidation");
    expect(events.map((e) => e.ref).sort()).toEqual(["sgp7errtsi0dz8ttndcky3o2s", "vr06qe3o7x0kauog6k7565pe0", "xv0x90ktegeal51w5v18nr60k"]);
    expect(events.find((e) => e.ref === "xv0x90ktegeal51w5v18nr60k")).toMatchObject({ kind: "partial", cachedUserSteps: 12, cacheableUserSteps: 18 });
    expect(logLines.filter((l) => l.event === "cache_error")).toEqual([expect.objectContaining({ ref: "sgp7errtsi0dz8ttndcky3o2s", operation: "export", backend: "s3" })]);
  });

  it("passes --addr and the TLS flags to every buildctl call", () => {
    const calls = readFileSync(join(dir, "calls.log"), "utf8").trim().split("\n");
    expect(calls.length).toBeGreaterThan(3);
    for (const call of calls) expect(call.startsWith("--addr tcp://buildkitd.test:1234 --tlscacert /etc/ca.pem --tlscert /etc/client.pem --tlskey /etc/client-key.pem ")).toBe(true);
    expect(calls).toContain("--addr tcp://buildkitd.test:1234 --tlscacert /etc/ca.pem --tlscert /etc/client.pem --tlskey /etc/client-key.pem debug logs --progress plain xv0x90ktegeal51w5v18nr60k");
  });

  it("exports the certificate's notAfter", async () => {
    const text = await (await fetch(`http://${address}/metrics`)).text();
    const notAfter = sample(text, 'buildkit_insights_certificate_not_after_seconds{certificate="server"}') ?? 0;
    const days = (notAfter - Date.now() / 1000) / 86400;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
  });

  it("answers 404 elsewhere and rejects bad flags with the flag's name", async () => {
    expect((await fetch(`http://${address}/nope`)).status).toBe(404);
    const bad = spawn(process.execPath, [join(dir, "exporter.js"), "--interval", "soon"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    bad.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((r) => bad.once("exit", r));
    expect(code).toBe(2);
    expect(stderr).toContain('--interval: expected a duration like 15s, got "soon"');
  });
});
