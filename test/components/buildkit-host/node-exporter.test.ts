import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NODE_EXPORTER_DEFAULTS, renderNodeExporterInstallScript, renderNodeExporterUnit } from "../../../components/buildkit-host/render-node-exporter";
import { NODE_EXPORTER } from "../../../lib/versions";

const dirs: string[] = [];
const tempDir = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `node-exporter-${name}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A release tarball stand-in: node_exporter-<v>.linux-amd64/node_exporter printing the version line. */
function fakeRelease(dir: string): { tarball: string; sha256: string } {
  const name = `node_exporter-${NODE_EXPORTER.version}.linux-amd64`;
  mkdirSync(join(dir, "src", name), { recursive: true });
  writeFileSync(join(dir, "src", name, "node_exporter"), `#!/bin/sh\necho "node_exporter, version ${NODE_EXPORTER.version} (branch: HEAD)"\n`, { mode: 0o755 });
  const tarball = join(dir, `${name}.tar.gz`);
  spawnSync("tar", ["-czf", tarball, "-C", join(dir, "src"), name]);
  return { tarball, sha256: createHash("sha256").update(readFileSync(tarball)).digest("hex") };
}

/** Runs the rendered script under ROOT with a fake curl (copies the tarball, records the URL) and a recording systemctl. */
function install(env: Record<string, string>) {
  const dir = tempDir("run");
  const root = join(dir, "root");
  const { tarball, sha256 } = fakeRelease(dir);
  writeFileSync(join(dir, "curl"), `#!/bin/sh\nfor a in "$@"; do last="$a"; done\nprintf '%s\\n' "$last" >> "${dir}/curl.log"\nwhile [ "$#" -gt 0 ]; do if [ "$1" = -o ]; then cp "${tarball}" "$2"; fi; shift; done\n`, { mode: 0o755 });
  writeFileSync(join(dir, "systemctl"), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${dir}/systemctl.log"\n`, { mode: 0o755 });
  const unit = join(dir, "node-exporter.service");
  writeFileSync(unit, renderNodeExporterUnit());
  const script = join(dir, "install.sh");
  writeFileSync(script, renderNodeExporterInstallScript());
  chmodSync(script, 0o755);
  const result = spawnSync("sh", [script], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ROOT: root, CURL: join(dir, "curl"), SYSTEMCTL: join(dir, "systemctl"), UNIT_FILE: unit, ARCH: "x86_64", NODE_EXPORTER_SHA256_AMD64: sha256, ...env },
  });
  const read = (file: string): string => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : "");
  return { result, root, curlLog: read("curl.log"), systemctlLog: read("systemctl.log") };
}

describe("node_exporter on builder hosts", () => {
  it("renders an install script that passes shellcheck and pins the release and its checksums", () => {
    const script = renderNodeExporterInstallScript();
    const result = spawnSync("shellcheck", ["-s", "sh", "-"], { input: script, encoding: "utf8" });
    expect(result.stdout).toBe("");
    expect(script).toContain(`NODE_EXPORTER_VERSION='${NODE_EXPORTER.version}'`);
    expect(script).toContain(`NODE_EXPORTER_SHA256_ARM64='${NODE_EXPORTER.sha256.arm64}'`);
  });

  it("renders its own unit with limits and the textfile collector, accepted by systemd-analyze verify", () => {
    const dir = tempDir("unit");
    writeFileSync(join(dir, "node_exporter"), "#!/bin/sh\n", { mode: 0o755 });
    const unit = renderNodeExporterUnit({ ...NODE_EXPORTER_DEFAULTS, binDir: dir });
    writeFileSync(join(dir, "node-exporter.service"), unit);
    const result = spawnSync("systemd-analyze", ["verify", "--man=no", join(dir, "node-exporter.service")], { encoding: "utf8", env: { ...process.env, SYSTEMD_LOG_LEVEL: "warning" } });
    expect(result.stderr.split("\n").filter((l) => l.includes(dir))).toEqual([]);
    for (const line of ["MemoryMax=128M", "CPUQuota=20%", "TasksMax=64", "DynamicUser=yes", "--collector.textfile.directory=/var/lib/prometheus/node-exporter"]) expect(unit).toContain(line);
  });

  it("downloads the pinned tarball, verifies it, installs binary and unit and starts the service", () => {
    const { result, root, curlLog, systemctlLog } = install({});
    expect(result.stderr).toContain(`node_exporter ${NODE_EXPORTER.version} running`);
    expect(result.status).toBe(0);
    expect(curlLog.trim()).toBe(`https://github.com/prometheus/node_exporter/releases/download/v${NODE_EXPORTER.version}/node_exporter-${NODE_EXPORTER.version}.linux-amd64.tar.gz`);
    expect(existsSync(join(root, "usr/local/bin/node_exporter"))).toBe(true);
    expect(readFileSync(join(root, "etc/systemd/system/node-exporter.service"), "utf8")).toBe(renderNodeExporterUnit());
    expect(existsSync(join(root, "var/lib/prometheus/node-exporter"))).toBe(true);
    expect(systemctlLog.trim().split("\n")).toEqual(["daemon-reload", "enable node-exporter.service", "restart node-exporter.service"]);
  });

  it("refuses a tarball whose checksum is not the pinned one and installs nothing", () => {
    const { result, root } = install({ NODE_EXPORTER_SHA256_AMD64: NODE_EXPORTER.sha256.amd64 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("checksum mismatch");
    expect(existsSync(join(root, "usr/local/bin/node_exporter"))).toBe(false);
  });

  it("installs nothing when told a node_exporter exists", () => {
    const { result, root, curlLog } = install({ EXISTING: "1" });
    expect(result.status).toBe(0);
    expect(curlLog).toBe("");
    expect(existsSync(join(root, "usr/local/bin"))).toBe(false);
  });
});
