import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHostRoot, makeTarball, serveReleases, type ReleaseServer } from "./script-harness";

// The install/upgrade/rollback/uninstall scripts run for real in a throw-away ROOT against 127.0.0.1.
let server: ReleaseServer;

beforeAll(async () => {
  const releases = mkdtempSync(join(tmpdir(), "bk-releases-"));
  await makeTarball(releases, "v0.32.1");
  await makeTarball(releases, "v0.32.2");
  await makeTarball(releases, "v0.33.0", { brokenBuildctl: true });
  await makeTarball(releases, "v0.32.3");
  server = await serveReleases(releases);
});
afterAll(async () => server.close());

/** The version of the release `current` points at (releases/<version>-<hash>). */
const current = (root: string): string => readlinkSync(join(root, "opt/buildkit/current")).replace(/^releases\//, "").replace(/-[a-f0-9]{12}$/, "");
const releaseNames = (root: string): string[] => (existsSync(join(root, "opt/buildkit/releases")) ? readdirSync(join(root, "opt/buildkit/releases")) : []);

describe("install.sh", () => {
  it("installs the pinned release into its own directory, checked against the provenance digest", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.2");
    const result = await host.script("install.sh");
    expect(result.stderr).toContain("all checks passed");
    expect(result.code).toBe(0);
    expect(current(host.root)).toBe("v0.32.2");
    expect(existsSync(join(host.root, "opt/buildkit/current/.complete"))).toBe(true);
    // Every managed path is a link into the switched release.
    expect(readlinkSync(join(host.root, "etc/buildkit/buildkitd.toml"))).toBe(join(host.root, "opt/buildkit/current/files/buildkitd.toml"));
    expect(readlinkSync(join(host.root, "etc/systemd/system/buildkit.service"))).toBe(join(host.root, "opt/buildkit/current/files/buildkit.service"));
    const version = readFileSync(join(host.root, "usr/local/bin/buildkitd"), "utf8");
    expect(version).toContain("v0.32.2");
    expect(readFileSync(join(host.root, "etc/buildkit/buildkitd.toml"), "utf8")).toContain('root = "/var/lib/buildkit"');
    expect(statSync(join(host.root, "etc/buildkit/buildkitd.toml")).mode & 0o777).toBe(0o644);
    expect(existsSync(join(host.root, "etc/systemd/system/buildkit.service.d/50-buildkit-limits.conf"))).toBe(true);
    expect(host.systemctlCalls()).toEqual(expect.arrayContaining(["daemon-reload", "enable buildkit.socket buildkit.service", "restart buildkit.socket buildkit.service"]));
  });

  it("installs mTLS material with private keys 0600 and verifies over the TCP listener", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.2", { buildkitd: { grpc: { tcpAddress: "tcp://0.0.0.0:1234" } } }, undefined, true);
    const result = await host.script("install.sh");
    expect(result.stderr).toContain("ok: buildctl debug info over tcp://127.0.0.1:1234 (mTLS) reports v0.32.2");
    expect(result.code).toBe(0);
    for (const [file, mode] of [["server-key.pem", 0o600], ["client-key.pem", 0o600], ["ca.pem", 0o644], ["server.pem", 0o644]] as const) {
      expect(statSync(join(host.root, "etc/buildkit/tls", file)).mode & 0o777, file).toBe(mode);
    }
    expect(host.systemctlCalls()).toContain(`groupadd --system --prefix ${host.root} buildkit`);
    // A missing client key makes the TLS check fail, naming the listener.
    rmSync(join(host.root, "etc/buildkit/tls/client-key.pem"));
    const verify = await host.script("verify.sh");
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('FAILED check "buildctl debug workers (tcp://127.0.0.1:1234 (mTLS))"');
  });

  it("changes and restarts nothing when re-run with nothing changed", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.2");
    expect((await host.script("install.sh")).code).toBe(0);
    const callsAfterFirst = host.systemctlCalls().length;
    const tomlTime = statSync(join(host.root, "etc/buildkit/buildkitd.toml")).mtimeMs;
    const again = await host.script("install.sh");
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("nothing changed");
    expect(again.stderr).not.toContain("downloading");
    expect(host.systemctlCalls().length).toBe(callsAfterFirst);
    expect(statSync(join(host.root, "etc/buildkit/buildkitd.toml")).mtimeMs).toBe(tomlTime);
  });

  it("upgrades atomically and keeps the previous version for rollback", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.1");
    expect((await host.script("install.sh")).code).toBe(0);
    host.stage("v0.32.2");
    const upgrade = await host.script("install.sh");
    expect(upgrade.code).toBe(0);
    expect(current(host.root)).toBe("v0.32.2");
    expect(releaseNames(host.root).map((r) => r.slice(0, 7)).sort()).toEqual(["v0.32.1", "v0.32.2"]);
    // A third version drops the oldest but keeps the one before it.
    host.stage("v0.32.3");
    expect((await host.script("install.sh")).code).toBe(0);
    expect(releaseNames(host.root).map((r) => r.slice(0, 7)).sort()).toEqual(["v0.32.2", "v0.32.3"]);
  });

  it("aborts on a checksum mismatch and leaves the running install untouched", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.1");
    expect((await host.script("install.sh")).code).toBe(0);
    const calls = host.systemctlCalls().length;
    host.stage("v0.32.2", {}, "0".repeat(64));
    const result = await host.script("install.sh");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/checksum mismatch for buildkit-v0\.32\.2\.linux-amd64\.tar\.gz: expected 0{64}, got [a-f0-9]{64}/);
    expect(current(host.root)).toBe("v0.32.1");
    expect(releaseNames(host.root).filter((r) => r.startsWith("v0.32.2"))).toEqual([]);
    expect(host.systemctlCalls().length).toBe(calls);
  });

  it("aborts on a truncated download and leaves the running install untouched", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.1");
    expect((await host.script("install.sh")).code).toBe(0);
    server.truncate.add("/releases/v0.32.2/buildkit-v0.32.2.linux-amd64.tar.gz");
    try {
      host.stage("v0.32.2");
      const result = await host.script("install.sh");
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("download failed");
      expect(current(host.root)).toBe("v0.32.1");
      expect(releaseNames(host.root).filter((r) => !r.startsWith("v0.32.1"))).toEqual([]);
    } finally {
      server.truncate.clear();
    }
  });

  it("rolls back binaries and config when verification fails, naming the failed check", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.1");
    expect((await host.script("install.sh")).code).toBe(0);
    const goodToml = readFileSync(join(host.root, "etc/buildkit/buildkitd.toml"), "utf8");
    host.stage("v0.33.0", { buildkitd: { worker: { maxParallelism: 12 } } });
    const result = await host.script("install.sh");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('FAILED check "buildctl debug workers (unix:///run/buildkit/buildkitd.sock)"');
    expect(result.stderr).toContain("rolling back to v0.32.1");
    expect(current(host.root)).toBe("v0.32.1");
    expect(readFileSync(join(host.root, "etc/buildkit/buildkitd.toml"), "utf8")).toBe(goodToml);
    expect(host.systemctlCalls().filter((c) => c.startsWith("restart buildkit")).length).toBe(3);
  });

  it("leaves no half-installed daemon when the very first install fails verification", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.33.0");
    const result = await host.script("install.sh");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("restored an empty host");
    expect(existsSync(join(host.root, "opt/buildkit/current"))).toBe(false);
    expect(existsSync(join(host.root, "etc/buildkit/buildkitd.toml"))).toBe(false);
    expect(existsSync(join(host.root, "usr/local/bin/buildkitd"))).toBe(false);
    expect(existsSync(join(host.root, "etc/systemd/system/buildkit.service"))).toBe(false);
    expect(host.systemctlCalls()).toContain("stop buildkit.socket buildkit.service");
  });

  it("refuses, in prod, a tarball without a pinned digest and an http:// mirror, before touching the host", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.2");
    const unpinned = await host.script("install.sh", { REQUIRE_PINNED_DIGEST: "1" });
    expect(unpinned.code).not.toBe(0);
    expect(unpinned.stderr).toContain("no pinned sha256 for BuildKit v0.32.2 linux/amd64");
    expect(unpinned.stderr).not.toContain("downloading");
    const plain = await host.script("install.sh", { REQUIRE_HTTPS: "1" });
    expect(plain.stderr).toContain(`refusing download mirror ${server.baseUrl}: production mirrors must use https://`);
    expect(existsSync(join(host.root, "opt/buildkit/current"))).toBe(false);
  });

  it("refuses a host whose architecture differs from the configured one", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.2");
    const result = await host.script("install.sh", { HOST_MACHINE: "riscv64" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unsupported architecture "riscv64"');
    expect(existsSync(join(host.root, "opt/buildkit"))).toBe(false);
  });
});

describe("verify.sh", () => {
  it("fails naming the check when buildkitd reports another version than the pin", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.1");
    expect((await host.script("install.sh")).code).toBe(0);
    const result = await host.script("verify.sh", { VERSION: "v0.32.2" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('FAILED check "buildkitd --version": expected v0.32.2, got: buildkitd github.com/moby/buildkit v0.32.1');
  });

  it("fails naming the metrics check when debugAddress does not answer", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.2");
    expect((await host.script("install.sh")).code).toBe(0);
    const result = await host.script("verify.sh", { DEBUG_ADDR: "127.0.0.1:1" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('FAILED check "GET http://127.0.0.1:1/metrics"');
  });
});

describe("uninstall.sh", () => {
  it("removes binaries, config and units but keeps the cache", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.2");
    expect((await host.script("install.sh")).code).toBe(0);
    mkdirSync(join(host.root, "var/lib/buildkit/runc-overlayfs"), { recursive: true });
    writeFileSync(join(host.root, "var/lib/buildkit/runc-overlayfs/cache.db"), "cache");
    const result = await host.script("uninstall.sh");
    expect(result.stderr).toContain("removed BuildKit");
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("kept the cache /var/lib/buildkit");
    expect(existsSync(join(host.root, "opt/buildkit"))).toBe(false);
    expect(existsSync(join(host.root, "etc/buildkit"))).toBe(false);
    expect(existsSync(join(host.root, "usr/local/bin/buildkitd"))).toBe(false);
    expect(existsSync(join(host.root, "etc/systemd/system/buildkit.service"))).toBe(false);
    expect(readFileSync(join(host.root, "var/lib/buildkit/runc-overlayfs/cache.db"), "utf8")).toBe("cache");
    expect(host.systemctlCalls()).toContain("disable --now buildkit.socket buildkit.service");
  });

  it("purges the cache only when purgeCacheOnDelete is set", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.2", { purgeCacheOnDelete: true });
    expect((await host.script("install.sh")).code).toBe(0);
    mkdirSync(join(host.root, "var/lib/buildkit"), { recursive: true });
    const result = await host.script("uninstall.sh");
    expect(result.code).toBe(0);
    expect(existsSync(join(host.root, "var/lib/buildkit"))).toBe(false);
  });
});

describe("check-rootless.sh", () => {
  it("lists every missing prerequisite with its fix and exits non-zero", async () => {
    const host = makeHostRoot(server);
    host.stage("v0.32.2", { buildkitd: { worker: { rootless: true } } });
    mkdirSync(join(host.root, "etc"), { recursive: true });
    writeFileSync(join(host.root, "etc/passwd"), "buildkit:x:1001:1001::/home/buildkit:/bin/sh\n");
    const proc = join(host.root, "proc");
    mkdirSync(join(proc, "sys/user"), { recursive: true });
    writeFileSync(join(proc, "sys/user/max_user_namespaces"), "0\n");
    // Only the basic tools on PATH: newuidmap, rootlesskit, slirp4netns are "not installed".
    const result = await host.script("check-rootless.sh", { PROC: proc, PATH: host.toolsOnly(["grep", "cat"]) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("missing: an /etc/subuid entry for buildkit");
    expect(result.stderr).toContain("missing: newuidmap (install the uidmap package)");
    expect(result.stderr).toContain("missing: user namespaces (sysctl user.max_user_namespaces is 0)");
    const install = await host.script("install.sh", { PROC: proc });
    expect(install.code).not.toBe(0);
    expect(install.stderr).toContain("rootless prerequisites missing");
    expect(existsSync(join(host.root, "opt/buildkit"))).toBe(false);
  });
});
