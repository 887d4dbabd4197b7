import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PluginSetInput } from "../../../components/plugin-set/args";
import { tempDir, writeScripts } from "./helpers";
import { pluginBinary, publish as publishRelease, runAsync, sha256, startReleaseServer } from "./release-server";

interface HistoryLine {
  action: string;
  plugin: string;
  fromVersion: string;
  toVersion: string;
  result: string;
  reason: string;
}

describe("plugin-install.sh against a local release server", () => {
  const root = tempDir("install");
  const releases = join(root, "releases");
  const installDir = join(root, "host", "usr", "local", "lib", "docker", "cli-plugins");
  const stateDir = join(root, "host", "var", "lib", "buildfarm", "plugins");
  const historyLog = join(stateDir, "history.jsonl");
  let server: Server;
  let baseUrl: string;

  const env = (): Record<string, string> => ({
    HOME: join(root, "home"),
    DOCKER_CONFIG: join(root, "home", ".docker"),
    PLUGIN_INSTALL_DIR: installDir,
    PLUGIN_STATE_DIR: stateDir,
    HISTORY_LOG: historyLog,
    PLUGIN_ARCH: "amd64",
  });
  const history = (): HistoryLine[] =>
    existsSync(historyLog) ? readFileSync(historyLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as HistoryLine) : [];
  /** The digests "this repository" pins for the test releases (the sha256 of what the checksum file names). */
  const pins = new Map<string, string>();
  const publish = (...args: Parameters<typeof publishRelease>): void => {
    publishRelease(...args);
    pins.set(`${args[1]}@${args[2]}`, sha256(args[4]?.checksumOf ?? args[3]));
  };
  const installed = (name: string): string => readFileSync(join(installDir, `docker-${name}`), "utf8");

  /** Renders the install script for these pins (served by the local release server) and runs it. */
  async function install(required: Array<{ name: string; version: string }>): Promise<{ status: number; stderr: string }> {
    const input: PluginSetInput = {
      allowHttpMirrors: true,
      required: required.map((p) => {
        const pin = pins.get(`${p.name}@${p.version}`) ?? sha256("unpublished");
        return { ...p, downloadBaseUrl: `${baseUrl}/${p.name}`, sha256: { amd64: pin, arm64: pin } };
      }),
    };
    const scripts = writeScripts(join(root, `scripts-${required.map((p) => p.name + p.version).join("-")}`), input);
    return runAsync("sh", [join(scripts, "plugin-install.sh")], env());
  }

  beforeAll(async () => {
    mkdirSync(join(root, "home"), { recursive: true });
    ({ server, baseUrl } = await startReleaseServer(releases));
    publish(releases, "buildx", "v0.29.1", pluginBinary("buildx", "v0.29.1"));
    publish(releases, "compose", "v2.40.2", pluginBinary("compose", "v2.40.2"));
    publish(releases, "buildx", "v0.31.0", pluginBinary("buildx", "v0.31.0"), { checksumOf: "tampered" });
    publish(releases, "buildx", "v0.31.1", pluginBinary("buildx", "v0.29.0"));
    publish(releases, "buildx", "v0.31.2", pluginBinary("buildx", "v0.31.2", 'if [ "$2" = version ]; then exit 2; fi'));
    publish(releases, "buildx", "v0.31.3", "<!DOCTYPE html>\n<html><body>Rate limit exceeded</body></html>\n");
    publish(releases, "buildx", "v0.31.4", foreignElf());
    publish(releases, "buildx", "v0.31.5", pluginBinary("buildx", "v0.31.5", `case "$(readlink -f "$0")" in "${installDir}"/*) exit 3 ;; esac`));
    publish(releases, "buildx", "v0.32.0", pluginBinary("buildx", "v0.32.0"));
    publish(releases, "buildx", "v0.16.0", pluginBinary("buildx", "v0.16.0"));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("installs the pinned plugins after checksum, metadata and smoke-test checks", async () => {
    const result = await install([{ name: "compose", version: "v2.40.2" }, { name: "buildx", version: "v0.29.1" }]);
    expect(result.status, result.stderr).toBe(0);
    expect(installed("buildx")).toBe(pluginBinary("buildx", "v0.29.1"));
    expect(history().map((h) => [h.action, h.plugin, h.toVersion, h.result])).toEqual([
      ["install", "buildx", "v0.29.1", "ok"],
      ["install", "compose", "v2.40.2", "ok"],
    ]);
    // The real docker CLI finds and runs what was installed.
    const cfg = join(root, "docker-check");
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, "config.json"), JSON.stringify({ cliPluginsExtraDirs: [installDir] }));
    expect(execFileSync("/usr/local/bin/docker", ["buildx", "version"], { env: { ...process.env, DOCKER_CONFIG: cfg, HOME: root }, encoding: "utf8" })).toContain("v0.29.1");
  });

  it("leaves a plugin at its pinned version alone and logs nothing", async () => {
    const before = history().length;
    const result = await install([{ name: "buildx", version: "v0.29.1" }, { name: "compose", version: "v2.40.2" }]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("buildx v0.29.1 already installed");
    expect(history().length).toBe(before);
  });

  const rejected: Array<[string, string, RegExp]> = [
    ["a bad checksum", "v0.31.0", /^checksum mismatch for buildx-v0\.31\.0\.linux-amd64: expected [0-9a-f]{64} \(the pin in this repository\), got [0-9a-f]{64}$/],
    ["metadata reporting another version", "v0.31.1", /^staged binary rejected: metadata reports version v0\.29\.0, pinned v0\.31\.1$/],
    ["a failing `docker buildx version`", "v0.31.2", /^staged binary rejected: smoke test `docker buildx version` failed with exit status 2$/],
    ["an HTML error page", "v0.31.3", /^downloaded buildx-v0\.31\.3\.linux-amd64 is an HTML page, not a plugin binary$/],
    ["a binary for another architecture", "v0.31.4", /^staged binary rejected: metadata check failed: failed to fetch metadata: fork\/exec .*: exec format error \(wrong architecture, or an HTML error page saved as the plugin\)$/],
    ["a release that does not exist", "v9.9.9", /^download of http:\/\/127\.0\.0\.1:\d+\/buildx\/v9\.9\.9\/buildx-v9\.9\.9\.linux-amd64 failed: HTTP 404$/],
  ];
  for (const [what, version, reason] of rejected) {
    it(`keeps the old plugin when the update has ${what}, and logs the attempt`, async () => {
      const result = await install([{ name: "buildx", version }]);
      expect(result.status).toBe(1);
      expect(installed("buildx")).toBe(pluginBinary("buildx", "v0.29.1"));
      const last = history().at(-1);
      expect(last).toMatchObject({ action: "update", plugin: "buildx", fromVersion: "v0.29.1", toVersion: version, result: "failed" });
      expect(last?.reason).toMatch(reason);
      expect(existsSync(join(stateDir, "staging", `buildx-${version}`))).toBe(false);
    });
  }

  it("rolls back to the previous binary when post-swap verification fails", async () => {
    const result = await install([{ name: "buildx", version: "v0.31.5" }]);
    expect(result.status).toBe(1);
    expect(installed("buildx")).toBe(pluginBinary("buildx", "v0.29.1"));
    expect(history().slice(-2).map((h) => [h.action, h.fromVersion, h.toVersion, h.result])).toEqual([
      ["update", "v0.29.1", "v0.31.5", "failed"],
      ["rollback", "v0.31.5", "v0.29.1", "ok"],
    ]);
    expect(history().at(-1)?.reason).toBe("post-swap verification: metadata check failed: failed to fetch metadata: exit status 3");
  });

  it("refuses compose next to a buildx older than 0.17 before swapping anything", async () => {
    // An old buildx arrives first (as if installed by hand), then compose is pinned on its own.
    expect((await install([{ name: "buildx", version: "v0.16.0" }])).status).toBe(0);
    const composeBefore = installed("compose");
    publish(releases, "compose", "v2.41.0", pluginBinary("compose", "v2.41.0"));
    const result = await install([{ name: "compose", version: "v2.41.0" }]);
    expect(result.status).toBe(1);
    expect(installed("compose")).toBe(composeBefore);
    expect(history().at(-1)).toMatchObject({ action: "update", plugin: "compose", result: "failed", reason: "incompatible: compose needs buildx >= 0.17, found v0.16.0" });
  });

  it("updates atomically and keeps the previous binary", async () => {
    const result = await install([{ name: "buildx", version: "v0.32.0" }]);
    expect(result.status, result.stderr).toBe(0);
    expect(installed("buildx")).toBe(pluginBinary("buildx", "v0.32.0"));
    expect(readFileSync(join(stateDir, "previous", "docker-buildx"), "utf8")).toBe(pluginBinary("buildx", "v0.16.0"));
    expect(history().at(-1)).toMatchObject({ action: "update", plugin: "buildx", fromVersion: "v0.16.0", toVersion: "v0.32.0", result: "ok" });
  });

  it("takes a mirror for every plugin from PLUGIN_DOWNLOAD_BASE_URL", async () => {
    const mirrorInstall = join(root, "mirror-host", "cli-plugins");
    // The rendered base points at a closed port: only the override can succeed.
    const pin = pins.get("buildx@v0.29.1") ?? "";
    const scripts = writeScripts(join(root, "scripts-mirror"), { allowHttpMirrors: true, required: [{ name: "buildx", version: "v0.29.1", downloadBaseUrl: "http://127.0.0.1:9/nowhere", sha256: { amd64: pin, arm64: pin } }] });
    const result = await runAsync("sh", [join(scripts, "plugin-install.sh")], {
      ...env(),
      PLUGIN_INSTALL_DIR: mirrorInstall,
      PLUGIN_STATE_DIR: join(root, "mirror-state"),
      HISTORY_LOG: join(root, "mirror-state", "history.jsonl"),
      PLUGIN_DOWNLOAD_BASE_URL: `${baseUrl}/{name}/{version}`,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(mirrorInstall, "docker-buildx"), "utf8")).toBe(pluginBinary("buildx", "v0.29.1"));
  });

  it("refuses to run while another run holds the lock, changing nothing", async () => {
    const lock = join(stateDir, "install.lock");
    mkdirSync(stateDir, { recursive: true });
    // Another run: a process holding the flock until it is killed.
    const holder = spawn("flock", ["-n", lock, "-c", "echo held; sleep 30"], { stdio: ["ignore", "pipe", "ignore"], detached: true });
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    try {
      const before = history().length;
      const result = await install([{ name: "buildx", version: "v0.29.1" }]);
      expect(result.status).toBe(75);
      expect(result.stderr).toContain(`another run holds ${lock}`);
      expect(installed("buildx")).toBe(pluginBinary("buildx", "v0.32.0"));
      expect(history().length).toBe(before);
    } finally {
      // The whole group: the sleeping child holds the lock too.
      process.kill(-(holder.pid ?? 0), "SIGKILL");
      await new Promise<void>((resolve) => (holder.exitCode !== null ? resolve() : holder.once("exit", () => resolve())));
    }
  });

  it("warns when an earlier search directory still shadows the installed plugin", async () => {
    const userPlugins = join(root, "home", ".docker", "cli-plugins");
    mkdirSync(userPlugins, { recursive: true });
    writeFileSync(join(userPlugins, "docker-buildx"), pluginBinary("buildx", "v0.10.0"), { mode: 0o755 });
    const pin = pins.get("buildx@v0.32.0") ?? "";
    const scripts = writeScripts(join(root, "scripts-shadow"), { allowHttpMirrors: true, required: [{ name: "buildx", version: "v0.32.0", downloadBaseUrl: `${baseUrl}/buildx`, sha256: { amd64: pin, arm64: pin } }] });
    const result = await runAsync("sh", [join(scripts, "plugin-install.sh")], { ...env(), PLUGIN_SYSTEM_DIRS: installDir });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`warning: ${join(installDir, "docker-buildx")} is shadowed by ${join(userPlugins, "docker-buildx")}`);
  });
});

/** A 64-byte ELF header for a machine this host cannot run. */
function foreignElf(): Buffer {
  const elf = Buffer.alloc(64);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  const hostIsArm = execFileSync("uname", ["-m"], { encoding: "utf8" }).trim() === "aarch64";
  elf.writeUInt16LE(hostIsArm ? 0x3e : 0xb7, 18);
  return elf;
}
