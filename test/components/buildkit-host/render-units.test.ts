import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_HOST_PATHS, UNIT_FILES, type HostPaths } from "../../../components/buildkit-host/paths";
import { renderBuildkitUnits } from "../../../components/buildkit-host/render-units";
import { fullHostSettings, hostSettings } from "./fixtures";

const run = promisify(execFile);

/** Host paths whose ExecStart binaries exist as empty executables, so verify checks the units and not our test machine. */
function fakeHostPaths(): { paths: HostPaths; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "bk-units-"));
  mkdirSync(join(dir, "bin"));
  for (const file of ["bin/buildkitd", "rootlesskit"]) {
    writeFileSync(join(dir, file), "#!/bin/sh\n");
    chmodSync(join(dir, file), 0o755);
  }
  return { dir, paths: { ...DEFAULT_HOST_PATHS, binDir: join(dir, "bin"), rootlesskit: join(dir, "rootlesskit") } };
}

/** Writes units (drop-in under buildkit.service.d/) and runs `systemd-analyze verify`; returns its stderr. */
async function systemdVerify(units: Record<string, string>, dir: string, user: boolean): Promise<string> {
  const unitDir = join(dir, "units");
  mkdirSync(join(unitDir, `${UNIT_FILES.service}.d`), { recursive: true });
  for (const [file, text] of Object.entries(units)) {
    writeFileSync(file.endsWith(".conf") ? join(unitDir, `${UNIT_FILES.service}.d`, file) : join(unitDir, file), text);
  }
  const targets = Object.keys(units).filter((f) => !f.endsWith(".conf") && (!user || f === UNIT_FILES.service));
  const args = ["verify", ...(user ? ["--user"] : []), ...targets.map((f) => join(unitDir, f))];
  try {
    const { stderr } = await run("systemd-analyze", args, { env: { ...process.env, XDG_RUNTIME_DIR: dir, SYSTEMD_LOG_LEVEL: "info" } });
    return stderr;
  } catch (error) {
    return `exit ${(error as { code: number }).code}: ${(error as { stderr: string }).stderr}`;
  }
}

describe("renderBuildkitUnits", () => {
  it("passes systemd-analyze verify with no unknown key, for the rootful units and drop-in", async () => {
    const { paths, dir } = fakeHostPaths();
    const units = renderBuildkitUnits(fullHostSettings(), { version: "v0.32.2", paths, cacheCredentials: true });
    expect(Object.keys(units)).toEqual(["50-buildkit-limits.conf", "buildkit-insights-exporter.service", "buildkit.service", "buildkit.socket"]);
    const stderr = await systemdVerify(units, dir, false);
    expect(stderr).not.toMatch(/Unknown (key|lvalue|section)|Invalid|Failed|not executable|exit \d/);
  });

  it("passes systemd-analyze verify for the rootless user unit", async () => {
    const { paths, dir } = fakeHostPaths();
    const units = renderBuildkitUnits(fullHostSettings(true), { version: "v0.32.2", paths });
    expect(units[UNIT_FILES.socket]).toBeUndefined();
    const { [UNIT_FILES.exporter]: exporter, ...userUnits } = units;
    expect(await systemdVerify(userUnits, dir, true)).not.toMatch(/Unknown (key|lvalue|section)|Invalid|Failed|not executable|exit \d/);
    expect(await systemdVerify({ [UNIT_FILES.exporter]: exporter as string }, mkdtempSync(join(tmpdir(), "bk-exp-")), false)).not.toMatch(/Unknown|Invalid|Failed|exit \d/);
  });

  it("catches a misspelt key (the check can fail)", async () => {
    const { paths, dir } = fakeHostPaths();
    const units = renderBuildkitUnits(hostSettings(), { version: "v0.32.2", paths });
    units[UNIT_FILES.limits] = `${units[UNIT_FILES.limits]}MemoryMaxx=1G\n`;
    expect(await systemdVerify(units, dir, false)).toContain("Unknown key 'MemoryMaxx'");
  });

  it("puts the configured limits, network lists, restart backoff and journald logging in place", () => {
    const units = renderBuildkitUnits(fullHostSettings(), { version: "v0.32.2", cacheCredentials: true });
    const limits = units[UNIT_FILES.limits] as string;
    for (const line of [
      "CPUQuota=1400%",
      "CPUWeight=100",
      "MemoryHigh=48G",
      "MemoryMax=56G",
      "IOWeight=100",
      "IOReadBandwidthMax=/dev/nvme0n1 500M",
      "IOWriteBandwidthMax=/dev/nvme0n1 200M",
      "TasksMax=4096",
      "LimitNOFILE=1048576",
      "IPAddressAllow=localhost 10.20.0.0/16 10.0.0.0/8",
      "IPAddressDeny=any",
    ]) expect(limits).toContain(`\n${line}\n`);
    const service = units[UNIT_FILES.service] as string;
    expect(service).toContain("\nExecStart=/usr/local/bin/buildkitd --config /etc/buildkit/buildkitd.toml --addr fd:// --addr tcp://0.0.0.0:1234\n");
    expect(service).toContain("\nRestart=on-failure\nRestartSec=5s\n");
    expect(service).toContain("\nStandardError=journal\n");
    expect(service).toContain("\nEnvironmentFile=-/etc/buildkit/cache.env\n");
    const socket = units[UNIT_FILES.socket] as string;
    expect(socket).toContain("\nListenStream=%t/buildkit/buildkitd.sock\nSocketMode=0660\nSocketUser=root\nSocketGroup=buildkit\n");
    const exporter = units[UNIT_FILES.exporter] as string;
    expect(exporter).toContain("\nExecStart=/usr/bin/node /opt/buildfarm/insights-exporter/exporter.js --listen 127.0.0.1:9469 --buildctl-addr unix:///run/buildkit/buildkitd.sock --certificate buildkitd-ca=/etc/buildkit/tls/ca.pem --certificate buildkitd-server=/etc/buildkit/tls/server.pem\n");
    expect(exporter).toContain("\nMemoryMax=256M\n");
    expect(exporter).toContain("\nIPAddressDeny=any\n");
  });

  it("exports certificate expiry only when the daemon has an mTLS listener", () => {
    const exporter = renderBuildkitUnits(hostSettings({}), { version: "v0.32.2" })[UNIT_FILES.exporter] as string;
    expect(exporter).toMatch(/\nExecStart=[^\n]*--buildctl-addr unix:\/\/\/run\/buildkit\/buildkitd.sock\n/);
    expect(exporter).not.toContain("--certificate");
  });

  it("runs a rootless daemon under rootlesskit with its ports published", () => {
    const service = renderBuildkitUnits(fullHostSettings(true), { version: "v0.32.2" })[UNIT_FILES.service] as string;
    expect(service).toContain(
      "\nExecStart=/usr/bin/rootlesskit --net=slirp4netns --copy-up=/etc --disable-host-loopback --port-driver=builtin -p 0.0.0.0:1234:1234/tcp -p 0.0.0.0:6060:6060/tcp /usr/local/bin/buildkitd --config /etc/buildkit/buildkitd.toml --addr unix://%t/buildkit/buildkitd.sock --addr tcp://0.0.0.0:1234\n",
    );
    expect(service).toContain("\nWantedBy=default.target\n");
  });
});
