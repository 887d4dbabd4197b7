import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PluginSetInput } from "../../../components/plugin-set/args";
import { PLUGIN_DIGESTS } from "../../../lib/versions";
import { tempDir, writeScripts, type RunResult } from "./helpers";
import { pluginBinary, publish, runAsync, sha256, startReleaseServer, type Fault } from "./release-server";

/** Seeded, so a failing kill point can be replayed: PLUGIN_FAULT_SEED=<seed> npm run test:slow. */
const SEED = Number(process.env.PLUGIN_FAULT_SEED ?? 20261204);
const KILL_RUNS = Number(process.env.PLUGIN_FAULT_KILL_RUNS ?? 12);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Tight bounds so a stalled mirror fails in seconds. */
const FAST_LIMITS = { connectTimeoutSeconds: 2, maxTimeSeconds: 10, lowSpeedBytesPerSecond: 100, lowSpeedSeconds: 2, attempts: 2, retryDelaySeconds: 0 };

describe("plugin-install.sh under injected faults (real script, throw-away root, 127.0.0.1 mirror)", () => {
  const root = tempDir("faults");
  const releases = join(root, "releases");
  const faults = new Map<string, Fault>();
  const pins = new Map<string, string>();
  let server: Server;
  let baseUrl: string;
  let hosts = 0;

  beforeAll(async () => {
    ({ server, baseUrl } = await startReleaseServer(releases, (path) => faults.get(path)));
    for (const version of ["v0.29.1", "v0.29.2", "v0.29.3", "v0.29.4", "v0.29.5"]) {
      publish(releases, "buildx", version, pluginBinary("buildx", version));
      pins.set(version, sha256(pluginBinary("buildx", version)));
    }
  });
  afterAll(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));

  /** A fresh host: its own plugin and state directories under the throw-away root. */
  function newHost(): { installDir: string; stateDir: string; env: Record<string, string> } {
    const dir = join(root, `host-${++hosts}`);
    const installDir = join(dir, "cli-plugins");
    const stateDir = join(dir, "state");
    mkdirSync(join(dir, "home"), { recursive: true });
    return { installDir, stateDir, env: { HOME: join(dir, "home"), DOCKER_CONFIG: join(dir, "home", ".docker"), PLUGIN_INSTALL_DIR: installDir, PLUGIN_STATE_DIR: stateDir, PLUGIN_ARCH: "amd64" } };
  }

  function scriptFor(version: string, extra: Partial<PluginSetInput> = {}): string {
    const pin = pins.get(version) ?? sha256("unpinned");
    const input: PluginSetInput = {
      allowHttpMirrors: true,
      download: FAST_LIMITS,
      required: [{ name: "buildx", version, downloadBaseUrl: `${baseUrl}/buildx`, sha256: { amd64: pin, arm64: pin } }],
      ...extra,
    };
    return join(writeScripts(join(root, `scripts-${++hosts}`), input), "plugin-install.sh");
  }

  const installed = (installDir: string): string => readFileSync(join(installDir, "docker-buildx"), "utf8");

  /** Temp files of the script: staging, half-copied binaries, half-kept previous copies. */
  function leftovers(host: { installDir: string; stateDir: string }): string[] {
    const found: string[] = [];
    if (existsSync(join(host.stateDir, "staging"))) found.push("staging/");
    if (existsSync(host.installDir)) found.push(...readdirSync(host.installDir).filter((f) => f.startsWith(".")));
    const previous = join(host.stateDir, "previous");
    if (existsSync(previous)) found.push(...readdirSync(previous).filter((f) => f.endsWith(".tmp")));
    return found;
  }

  async function hostWith(version: string): Promise<ReturnType<typeof newHost>> {
    const host = newHost();
    const result = await runAsync("sh", [scriptFor(version)], host.env);
    expect(result.status, result.stderr).toBe(0);
    return host;
  }

  it("fails fast against a mirror that accepts and never answers, and keeps the old plugin", async () => {
    const host = await hostWith("v0.29.1");
    faults.set("/buildx/v0.29.2/buildx-v0.29.2.linux-amd64", "stall");
    const started = Date.now();
    const result = await runAsync("sh", [scriptFor("v0.29.2")], host.env);
    const seconds = (Date.now() - started) / 1000;
    faults.clear();
    expect(result.status).toBe(1);
    // 2 attempts × 2 s low-speed window, plus the audits: far from "until killed".
    expect(seconds).toBeLessThan(30);
    expect(result.stderr).toMatch(/download of http:\/\/127\.0\.0\.1:\d+\/buildx\/v0\.29\.2\/buildx-v0\.29\.2\.linux-amd64 failed: timed out: .*\(mirror stalled\?\), after 2 attempt\(s\)/);
    expect(installed(host.installDir)).toBe(pluginBinary("buildx", "v0.29.1"));
    expect(leftovers(host)).toEqual([]);
  });

  it("refuses a truncated download and keeps the old plugin", async () => {
    const host = await hostWith("v0.29.1");
    faults.set("/buildx/v0.29.2/buildx-v0.29.2.linux-amd64", "truncate");
    const result = await runAsync("sh", [scriptFor("v0.29.2")], host.env);
    faults.clear();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("failed: truncated: the server closed the connection before the whole file arrived, after 2 attempt(s)");
    expect(installed(host.installDir)).toBe(pluginBinary("buildx", "v0.29.1"));
    expect(leftovers(host)).toEqual([]);
  });

  it("refuses a forged binary even when the mirror's checksums.txt vouches for it (the pin in lib/versions.ts wins)", async () => {
    const host = await hostWith("v0.29.1");
    const forged = pluginBinary("buildx", "v0.30.1", "echo pwned >/dev/null");
    publish(releases, "buildx", "v0.30.1", forged); // writes a checksums.txt that matches the forgery
    const script = join(writeScripts(join(root, "scripts-forged"), { allowHttpMirrors: true, download: FAST_LIMITS, required: [{ name: "buildx", version: "v0.30.1", downloadBaseUrl: `${baseUrl}/buildx` }] }), "plugin-install.sh");
    const result = await runAsync("sh", [script], host.env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`checksum mismatch for buildx-v0.30.1.linux-amd64: expected ${PLUGIN_DIGESTS.buildx?.["v0.30.1"]?.amd64} (the pin in this repository), got ${sha256(forged)}`);
    expect(installed(host.installDir)).toBe(pluginBinary("buildx", "v0.29.1"));
    expect(leftovers(host)).toEqual([]);
  });

  it("refuses a version without a pin and a plain-HTTP mirror when prod rules are on, before downloading", async () => {
    const host = await hostWith("v0.29.1");
    const unpinned = join(writeScripts(join(root, "scripts-unpinned"), { requirePinnedDigests: false, allowHttpMirrors: true, required: [{ name: "buildx", version: "v0.29.3", downloadBaseUrl: `${baseUrl}/buildx` }] }), "plugin-install.sh");
    const noPin = await runAsync("sh", [unpinned], { ...host.env, PLUGIN_REQUIRE_PIN: "1" });
    expect(noPin.status).toBe(1);
    expect(noPin.stderr).toContain("no sha256 pinned for buildx v0.29.3 (amd64)");
    const http = await runAsync("sh", [scriptFor("v0.29.3")], { ...host.env, PLUGIN_REQUIRE_HTTPS: "1" });
    expect(http.status).toBe(1);
    expect(http.stderr).toContain(`refusing the plain-HTTP mirror ${baseUrl}/buildx/v0.29.3 (https:// required)`);
    expect(installed(host.installDir)).toBe(pluginBinary("buildx", "v0.29.1"));
  });

  it(`converges after kill -9 at ${KILL_RUNS} random points of an update (seed ${SEED}): old or new whole, then one re-run finishes`, async () => {
    const random = mulberry32(SEED);
    const host = await hostWith("v0.29.1");
    // How long one update takes here, to spread the kill points over it.
    const started = Date.now();
    expect((await runAsync("sh", [scriptFor("v0.29.2")], host.env)).status).toBe(0);
    const span = Date.now() - started;
    let current = "v0.29.2";
    for (let run = 0; run < KILL_RUNS; run++) {
      const next = current === "v0.29.2" ? "v0.29.3" : "v0.29.2";
      const script = scriptFor(next);
      const delay = Math.floor(random() * span);
      await killAfter(script, host.env, delay);
      const seen = installed(host.installDir);
      const where = `run ${run}, kill after ${delay} ms (seed ${SEED})`;
      expect([pluginBinary("buildx", current), pluginBinary("buildx", next)], where).toContain(seen);
      const rerun = await runAsync("sh", [script], host.env);
      expect(rerun.status, `${where}: ${rerun.stderr}`).toBe(0);
      expect(installed(host.installDir), where).toBe(pluginBinary("buildx", next));
      expect(leftovers(host), where).toEqual([]);
      current = next;
    }
  });

  it("proceeds after a run holding the lock was killed mid-download (the kernel released the flock)", async () => {
    const host = await hostWith("v0.29.1");
    faults.set("/buildx/v0.29.4/buildx-v0.29.4.linux-amd64", "stall");
    await killAfter(scriptFor("v0.29.4"), host.env, 2500);
    faults.clear();
    expect(existsSync(join(host.stateDir, "install.lock"))).toBe(true);
    const result = await runAsync("sh", [scriptFor("v0.29.4")], host.env);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("another run holds");
    expect(installed(host.installDir)).toBe(pluginBinary("buildx", "v0.29.4"));
    expect(leftovers(host)).toEqual([]);
  });

  it("says permission denied, not 'another run holds the lock', when the state directory is not writable", async () => {
    const host = newHost();
    mkdirSync(host.stateDir, { recursive: true });
    const script = scriptFor("v0.29.5");
    for (const dir of [root, join(script, ".."), join(host.stateDir, "..")]) chmodSync(dir, 0o755);
    chmodSync(host.stateDir, 0o555);
    const asRoot = process.getuid?.() === 0;
    // root writes anywhere, so run the script as nobody there.
    const result = asRoot
      ? await runAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "sh", script], host.env)
      : await runAsync("sh", [script], host.env);
    expect(result.status).toBe(77);
    expect(result.stderr).toMatch(/cannot (open the lock file|create the state directory) .*: Permission denied/);
    expect(result.stderr).not.toContain("another run holds");
  });
});

/** Starts the script in its own process group and kills the whole group with SIGKILL after `ms`. */
function killAfter(script: string, env: Record<string, string>, ms: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn("sh", [script], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, detached: true, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {
        // already finished
      }
    }, ms);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout: "", stderr });
    });
  });
}
