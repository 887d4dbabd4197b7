import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHostRoot, makeTarball, serveReleases, type HostRoot, type ReleaseServer } from "./script-harness";

// Fault injection: the real apply step in a throw-away ROOT against 127.0.0.1. Every random choice comes
// from FAULT_SEED (printed below), so a failure replays with FAULT_SEED=<seed> npm run test:slow.
const SEED = Number(process.env.FAULT_SEED ?? 1515);
const KILL_RUNS = 25;

/** mulberry32: a small seeded PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let server: ReleaseServer;
let genuineDigest: string;

beforeAll(async () => {
  const releases = mkdtempSync(join(tmpdir(), "bk-releases-"));
  await makeTarball(releases, "v0.32.1");
  await makeTarball(releases, "v0.32.2");
  await makeTarball(releases, "v0.33.0", { brokenBuildctl: true });
  // v0.34.0: the repository pins the genuine tarball; the mirror serves a forgery with matching provenance.
  genuineDigest = await makeTarball(mkdtempSync(join(tmpdir(), "bk-genuine-")), "v0.34.0");
  await makeTarball(releases, "v0.34.0", { marker: "forged" });
  server = await serveReleases(releases);
  console.log(`fault-injection seed: FAULT_SEED=${SEED}`);
});
afterAll(async () => server.close());

/** The release install.sh in staging would create: <version>-<first 12 hex of its sha256>. */
function stagedRelease(host: HostRoot, version: string): string {
  const script = readFileSync(join(host.root, "var/lib/buildfarm/buildkit/staging/install.sh"));
  return `${version}-${createHash("sha256").update(script).digest("hex").slice(0, 12)}`;
}

const currentRelease = (host: HostRoot): string => readlinkSync(join(host.root, "opt/buildkit/current")).replace(/^releases\//, "");

/** The host runs one complete release: `current` names a finished release and every managed path resolves into it. */
function expectWhole(host: HostRoot, allowed: readonly string[]): string {
  const release = currentRelease(host);
  expect(allowed, `current → ${release}`).toContain(release);
  const dir = join(host.root, "opt/buildkit/releases", release);
  expect(readFileSync(join(dir, ".complete"), "utf8").trim()).toBe(release);
  const version = release.slice(0, release.lastIndexOf("-"));
  expect(readFileSync(join(host.root, "usr/local/bin/buildkitd"), "utf8")).toContain(version);
  for (const path of ["etc/buildkit/buildkitd.toml", "etc/systemd/system/buildkit.service", "etc/systemd/system/buildkit.socket", "etc/systemd/system/buildkit.service.d/50-buildkit-limits.conf"]) {
    expect(realpathSync(join(host.root, path)), path).toBe(realpathSync(join(dir, "files", path.split("/").pop() as string)));
  }
  return release;
}

/** Temp files anywhere in the root: stage directories, half-made links, scratch and verify files. */
function leftovers(host: HostRoot): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (dir === host.root && entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (/\.tmp\.\d+$|^\.stage-|^buildkit-(apply|verify)\./.test(entry.name)) found.push(path.slice(host.root.length));
      if (entry.isDirectory() && !entry.isSymbolicLink()) walk(path);
    }
  };
  walk(host.root);
  return found;
}

const journal = (host: HostRoot): string => readFileSync(join(host.root, "var/lib/buildfarm/buildkit/state/journal"), "utf8").trim();

/** Installs v0.32.1 and checks it: the "old" release every fault starts from. */
async function hostWithOldRelease(): Promise<{ host: HostRoot; old: string }> {
  const host = makeHostRoot(server);
  host.stage("v0.32.1");
  const first = await host.script("install.sh");
  expect(first.code, first.stderr).toBe(0);
  return { host, old: stagedRelease(host, "v0.32.1") };
}

/** After a fault: one plain re-run converges on `target` (verified), whole, with no temp file left. */
async function expectConverges(host: HostRoot, target: string): Promise<void> {
  const again = await host.script("install.sh");
  expect(again.code, again.stderr).toBe(0);
  expect(expectWhole(host, [target])).toBe(target);
  expect(journal(host)).toBe(`verified ${target} -`);
  expect(leftovers(host)).toEqual([]);
}

describe("apply under faults", () => {
  it(`survives kill -9 at ${KILL_RUNS} random instants: old or new whole, and one re-run converges`, async () => {
    const next = random(SEED);
    const { host, old } = await hostWithOldRelease();
    const started = Date.now();
    host.stage("v0.32.2");
    const probe = await host.script("install.sh");
    expect(probe.code, probe.stderr).toBe(0);
    const fullRunMs = Date.now() - started;
    let releases = [old, stagedRelease(host, "v0.32.2")];
    let killedBeforeEnd = 0;
    for (let run = 0; run < KILL_RUNS; run++) {
      // Alternate versions and configuration so every run is a real switch (sometimes a download, sometimes not).
      const version = run % 2 === 0 ? "v0.32.1" : "v0.32.2";
      host.stage(version, { buildkitd: { worker: { maxParallelism: 2 + (run % 5) } } });
      const target = stagedRelease(host, version);
      const before = currentRelease(host);
      const delay = Math.floor(next() * fullRunMs);
      const killed = await host.killAfter("install.sh", delay);
      if (killed) killedBeforeEnd++;
      expectWhole(host, [before, target]);
      await expectConverges(host, target);
      releases = [before, target];
    }
    expect(releases.length).toBe(2);
    // The random instants must actually hit running applies, or the test proves nothing.
    expect(killedBeforeEnd).toBeGreaterThan(KILL_RUNS / 2);
  }, 240_000);

  it("disk full while staging (file-size limit): the old release stays whole; a re-run converges", async () => {
    const { host, old } = await hostWithOldRelease();
    host.stage("v0.32.2", { buildkitd: { worker: { maxParallelism: 3 } } });
    const full = await host.script("install.sh", { FILE_SIZE_LIMIT_BLOCKS: "1" });
    expect(full.code).not.toBe(0);
    expect(expectWhole(host, [old])).toBe(old);
    expect(leftovers(host)).toEqual([]);
    await expectConverges(host, stagedRelease(host, "v0.32.2"));
  }, 60_000);

  it("a stalled mirror fails fast with a clear message; the old release keeps running", async () => {
    const { host, old } = await hostWithOldRelease();
    server.stall.add("/releases/v0.32.2/buildkit-v0.32.2.linux-amd64.tar.gz");
    try {
      host.stage("v0.32.2");
      const started = Date.now();
      const stalled = await host.script("install.sh");
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(stalled.code).not.toBe(0);
      expect(stalled.stderr).toContain("download attempt 2/2");
      expect(stalled.stderr).toContain("download failed: " + server.baseUrl);
      expect(expectWhole(host, [old])).toBe(old);
      expect(leftovers(host)).toEqual([]);
    } finally {
      server.stall.clear();
    }
    await expectConverges(host, stagedRelease(host, "v0.32.2"));
  }, 60_000);

  it("a truncated download changes nothing; a re-run converges", async () => {
    const { host, old } = await hostWithOldRelease();
    server.truncate.add("/releases/v0.32.2/buildkit-v0.32.2.linux-amd64.tar.gz");
    try {
      host.stage("v0.32.2");
      const truncated = await host.script("install.sh");
      expect(truncated.code).not.toBe(0);
      expect(expectWhole(host, [old])).toBe(old);
      expect(leftovers(host)).toEqual([]);
    } finally {
      server.truncate.clear();
    }
    await expectConverges(host, stagedRelease(host, "v0.32.2"));
  }, 60_000);

  it("refuses a forged tarball that comes with matching forged provenance", async () => {
    const { host, old } = await hostWithOldRelease();
    host.stage("v0.34.0", {}, genuineDigest);
    const forged = await host.script("install.sh");
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toContain(`checksum mismatch for buildkit-v0.34.0.linux-amd64.tar.gz: expected ${genuineDigest}`);
    expect(expectWhole(host, [old])).toBe(old);
    expect(leftovers(host)).toEqual([]);
    // Prod without a pin does not fall back to the mirror's (forged) provenance at all.
    host.stage("v0.34.0");
    const unpinned = await host.script("install.sh", { REQUIRE_PINNED_DIGEST: "1" });
    expect(unpinned.stderr).toContain("no pinned sha256 for BuildKit v0.34.0 linux/amd64");
    expect(expectWhole(host, [old])).toBe(old);
  }, 60_000);

  it("a failing health check, then a crash during the rollback: the re-run finishes the rollback", async () => {
    const { host, old } = await hostWithOldRelease();
    host.stage("v0.33.0");
    const bad = stagedRelease(host, "v0.33.0");
    expect(await host.killWhen("install.sh", /rolling back to/)).toBe(true);
    expect(journal(host)).toBe(`rolling-back ${bad} ${old}`);
    expectWhole(host, [old, bad]);
    const again = await host.script("install.sh");
    expect(again.stderr).toContain(`finishing an interrupted rollback from ${bad} to ${old}`);
    expect(again.stderr).toContain('FAILED check "buildctl debug workers');
    expect(again.code).toBe(1);
    expect(expectWhole(host, [old])).toBe(old);
    expect(journal(host)).toBe(`verified ${old} -`);
    expect(leftovers(host)).toEqual([]);
  }, 60_000);

  it("a crash after the switch, before verification: the re-run verifies instead of saying nothing changed", async () => {
    const { host, old } = await hostWithOldRelease();
    host.stage("v0.33.0");
    const bad = stagedRelease(host, "v0.33.0");
    expect(await host.killWhen("install.sh", /switched to /)).toBe(true);
    expect(journal(host)).toBe(`switched ${bad} ${old}`);
    const again = await host.script("install.sh");
    expect(again.stderr).not.toContain("nothing changed");
    expect(again.stderr).toContain(`an interrupted switch to ${bad} fails verification`);
    expect(again.code).toBe(1);
    expect(expectWhole(host, [old])).toBe(old);
  }, 60_000);

  it("a lock left by a dead run is no obstacle; a live holder is named after the wait", async () => {
    const { host } = await hostWithOldRelease();
    const lock = join(host.root, "var/lib/buildfarm/buildkit/state/apply.lock");
    // A run that took the lock and died (kill -9 of its whole process group: flock and its child hold the fd).
    const dead = spawn("flock", [lock, "sleep", "60"], { stdio: "ignore", detached: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(-(dead.pid as number), "SIGKILL");
    await new Promise((resolve) => dead.once("exit", resolve));
    expect(existsSync(lock)).toBe(true);
    host.stage("v0.32.2");
    await expectConverges(host, stagedRelease(host, "v0.32.2"));
    const live = spawn("flock", [lock, "sleep", "30"], { stdio: "ignore", detached: true });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      host.stage("v0.32.1");
      const blocked = await host.script("install.sh", { LOCK_WAIT_SECONDS: "1" });
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toContain(`another apply still holds ${lock} after 1s; nothing was changed`);
    } finally {
      process.kill(-(live.pid as number), "SIGKILL");
    }
    expect(statSync(lock).isFile()).toBe(true);
  }, 60_000);
});
