import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_PLUGIN_DIRS } from "../../../components/plugin-set/args";
import { renderAuditScript } from "../../../components/plugin-set/render-scripts";
import { makePluginDirs, type PluginDirs } from "./fixture-dirs";
import { run, tempDir, writePlugin, type AuditRow } from "./helpers";

interface DockerPlugin {
  Name: string;
  Path: string;
  Version?: string;
  Vendor?: string;
  Err?: string;
  ShadowedPaths?: string[];
}

const DOCKER = "/usr/local/bin/docker";

describe("plugin-audit.sh against the real Docker CLI", () => {
  let dirs: PluginDirs;
  let script: string;
  let ours: AuditRow[];
  let theirs: DockerPlugin[];

  beforeAll(() => {
    dirs = makePluginDirs();
    script = join(dirs.root, "plugin-audit.sh");
    writeFileSync(script, renderAuditScript());
    // System dirs are not redirected: both sides see the machine's real ones.
    const audit = run("bash", [script], { ...dirs.env, PLUGIN_AUDIT_ENGINE: "off" });
    expect(audit.status, audit.stderr).toBe(0);
    ours = JSON.parse(audit.stdout) as AuditRow[];
    const info = run(DOCKER, ["info", "--format", "{{json .ClientInfo.Plugins}}"], dirs.env);
    expect(info.status, info.stderr).toBe(0);
    theirs = JSON.parse(info.stdout) as DockerPlugin[];
  });

  it("covers every case the fixture sets up", () => {
    const names = new Set(theirs.map((p) => p.Name));
    for (const name of ["valid", "metafail", "noexec", "dangling", "BadName", "ps", "novendor", "oldschema", "garbage", "html"]) expect(names).toContain(name);
    expect(theirs.find((p) => p.Name === "valid")?.ShadowedPaths).toEqual([join(dirs.userDir, "docker-valid")]);
  });

  it("classifies each winning candidate exactly as `docker info` does (status, reason, version, vendor)", () => {
    const winners = ours.filter((row) => row.status !== "shadowed").map((row) => ({ name: row.name, path: row.path, status: row.status, reason: row.reason, version: row.version, vendor: row.vendor }));
    const expected = theirs.map((p) => ({ name: p.Name, path: p.Path, status: p.Err === undefined ? "valid" : "invalid", reason: p.Err ?? "", version: p.Version ?? "", vendor: p.Vendor ?? "" }));
    expect(winners).toEqual(expected);
  });

  it("reports shadowed duplicates as docker's ShadowedPaths", () => {
    const shadowed = ours.filter((row) => row.status === "shadowed").map((row) => row.path);
    expect(shadowed).toEqual(theirs.flatMap((p) => p.ShadowedPaths ?? []));
    expect(ours.find((row) => row.status === "shadowed")?.reason).toBe(`shadowed by ${join(dirs.extraDir, "docker-valid")}`);
  });

  it("names the reasons operators see", () => {
    const reason = (name: string): string | undefined => ours.find((row) => row.name === name && row.status !== "shadowed")?.reason;
    expect(reason("metafail")).toBe("failed to fetch metadata: exit status 1");
    expect(reason("noexec")).toBe(`failed to fetch metadata: fork/exec ${join(dirs.userDir, "docker-noexec")}: permission denied`);
    expect(reason("dangling")).toBe(`failed to fetch metadata: fork/exec ${join(dirs.userDir, "docker-dangling")}: no such file or directory`);
    expect(reason("html")).toBe(`failed to fetch metadata: fork/exec ${join(dirs.userDir, "docker-html")}: exec format error`);
    expect(reason("BadName")).toBe('plugin candidate "BadName" did not match "^[a-z][a-z0-9]*$"');
    expect(reason("ps")).toBe('plugin "ps" duplicates builtin command');
    expect(reason("novendor")).toBe("plugin metadata does not define a vendor");
    expect(ours.find((row) => row.name === "valid" && row.status === "valid")?.shortDescription).toBe('A "quoted" helper');
  });

  it("changes nothing on disk", () => {
    const before = run("sh", ["-c", `find "${dirs.root}" -exec stat -c '%n %a %s %Y' {} + | sort`], {});
    run("bash", [script], { ...dirs.env, PLUGIN_AUDIT_ENGINE: "off" });
    const after = run("sh", ["-c", `find "${dirs.root}" -exec stat -c '%n %a %s %Y' {} + | sort`], {});
    expect(after.stdout).toBe(before.stdout);
  });

  it("cross-checks itself against `docker info` on the host", () => {
    const agree = run("sh", [script, "--format", "crosscheck"], dirs.env);
    expect(agree.stdout).toBe(`plugin-audit: agrees with docker info (${theirs.length + 1} candidates)\n`);
    expect(agree.status).toBe(0);
    // A builtin list that forgot "ps" makes the audit disagree, and the difference is named.
    const disagree = run("sh", [script, "--format", "crosscheck"], { ...dirs.env, PLUGIN_AUDIT_BUILTINS: "run build" });
    expect(disagree.status).toBe(1);
    expect(disagree.stdout.split("\n").filter(Boolean)).toEqual([
      `audit only:       ${join(dirs.userDir, "docker-ps")}\tvalid\t`,
      `docker info only: ${join(dirs.userDir, "docker-ps")}\tinvalid\tplugin \\"ps\\" duplicates builtin command`,
    ]);
    expect(run("sh", [script, "--format", "crosscheck"], { ...dirs.env, DOCKER_BIN: "/nonexistent/docker" }).status).toBe(3);
  });

  it("orders names naturally, as the Docker CLI does", () => {
    const dir = tempDir("order");
    mkdirSync(join(dir, "cli-plugins"));
    for (const name of ["x10", "x9", "x09", "x", "b2", "b10", "b", "ab", "9", "10", "x-1"]) writePlugin(join(dir, "cli-plugins", `docker-${name}`), name, { SchemaVersion: "0.1.0", Vendor: "v" });
    const env = { HOME: dir, DOCKER_CONFIG: dir };
    const ours = (JSON.parse(run("sh", [script], { ...env, PLUGIN_AUDIT_ENGINE: "off" }).stdout) as AuditRow[]).map((r) => r.name);
    const docker = (JSON.parse(run(DOCKER, ["info", "--format", "{{json .ClientInfo.Plugins}}"], env).stdout) as DockerPlugin[]).map((p) => p.Name);
    expect(ours).toEqual(docker);
    expect(ours).toEqual(["9", "10", "ab", "b", "b2", "b10", "x", "x9", "x09", "x10", "x-1"]);
  });

  it("gives up on a metadata call that hangs, as `signal: killed`", () => {
    const slow = tempDir("slow");
    mkdirSync(join(slow, "cli-plugins"));
    writeFileSync(join(slow, "cli-plugins", "docker-slow"), "#!/bin/sh\nexec sleep 30\n", { mode: 0o755 });
    const started = Date.now();
    const rows = JSON.parse(run("sh", [script], { HOME: slow, DOCKER_CONFIG: slow, PLUGIN_SYSTEM_DIRS: "", PLUGIN_AUDIT_ENGINE: "off", PLUGIN_AUDIT_TIMEOUT: "1" }).stdout) as AuditRow[];
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(rows).toMatchObject([{ name: "slow", status: "invalid", reason: "failed to fetch metadata: signal: killed" }]);
  });

  it("knows every builtin command of this docker CLI", () => {
    const help = run(DOCKER, ["--help"], dirs.env).stdout;
    const commands = [...help.matchAll(/^ {2}([a-z]+)\*?\s/gm)].map((m) => m[1] ?? "");
    expect(commands.length).toBeGreaterThan(40);
    const clash = tempDir("builtins");
    mkdirSync(join(clash, "cli-plugins"));
    for (const name of commands) writePlugin(join(clash, "cli-plugins", `docker-${name}`), name, { SchemaVersion: "0.1.0", Vendor: "x" });
    const rows = JSON.parse(run("sh", [script], { HOME: clash, DOCKER_CONFIG: clash, PLUGIN_AUDIT_ENGINE: "off" }).stdout) as AuditRow[];
    const docker = JSON.parse(run(DOCKER, ["info", "--format", "{{json .ClientInfo.Plugins}}"], { HOME: clash, DOCKER_CONFIG: clash }).stdout) as DockerPlugin[];
    expect(rows.map((r) => r.reason)).toEqual(docker.map((p) => p.Err ?? ""));
  });

  it("searches the Linux system dirs in docker's order by default", () => {
    expect(renderAuditScript()).toContain(`PLUGIN_SYSTEM_DIRS-${SYSTEM_PLUGIN_DIRS.join(":")}`);
  });

  it("scans overridden system dirs after the user dir, and they lose to it", () => {
    const sys = join(dirs.root, "sys");
    mkdirSync(sys, { recursive: true });
    writePlugin(join(sys, "docker-valid"), "valid", { SchemaVersion: "0.1.0", Vendor: "Sys" });
    writePlugin(join(sys, "docker-sysonly"), "sysonly", { SchemaVersion: "0.1.0", Vendor: "Sys", Version: "1.0.0" });
    const rows = JSON.parse(run("sh", [script], { ...dirs.env, PLUGIN_SYSTEM_DIRS: sys, PLUGIN_AUDIT_ENGINE: "off" }).stdout) as AuditRow[];
    expect(rows.filter((r) => r.name === "valid").map((r) => [r.status, r.path])).toEqual([
      ["valid", join(dirs.extraDir, "docker-valid")],
      ["shadowed", join(dirs.userDir, "docker-valid")],
      ["shadowed", join(sys, "docker-valid")],
    ]);
    expect(rows.find((r) => r.name === "sysonly")).toMatchObject({ status: "valid", vendor: "Sys", version: "1.0.0" });
  });

  it("lists engine-managed plugins when a daemon answers `docker plugin ls`", () => {
    const bin = join(dirs.root, "fake-bin");
    mkdirSync(bin, { recursive: true });
    // A docker stand-in whose daemon knows two plugins; anything else fails like an unreachable daemon.
    writeFileSync(
      join(bin, "docker"),
      ["#!/bin/sh", 'if [ "$1 $2" = "plugin ls" ]; then printf \'grafana/loki-docker-driver:3.3.2\\ttrue\\tLoki Logging Driver\\nvieux/sshfs:latest\\tfalse\\tsshFS plugin for Docker\\n\'; exit 0; fi', "exit 1", ""].join("\n"),
      { mode: 0o755 },
    );
    const rows = JSON.parse(run("sh", [script], { ...dirs.env, PLUGIN_SYSTEM_DIRS: "", PATH: `${bin}:${process.env.PATH ?? ""}` }).stdout) as AuditRow[];
    expect(rows.filter((r) => r.kind === "engine")).toEqual([
      { name: "grafana/loki-docker-driver", path: "engine:grafana/loki-docker-driver:3.3.2", status: "valid", reason: "", version: "3.3.2", vendor: "", shortDescription: "Loki Logging Driver", kind: "engine" },
      { name: "vieux/sshfs", path: "engine:vieux/sshfs:latest", status: "invalid", reason: "engine plugin is disabled", version: "latest", vendor: "", shortDescription: "sshFS plugin for Docker", kind: "engine" },
    ]);
    // Without a reachable daemon (the real CLI here), the audit lists CLI plugins only.
    const withoutDaemon = JSON.parse(run("sh", [script], { ...dirs.env, PLUGIN_SYSTEM_DIRS: "" }).stdout) as AuditRow[];
    expect(withoutDaemon.filter((r) => r.kind === "engine")).toEqual([]);
  });

  it("writes Prometheus metrics that promtool accepts", () => {
    const prom = run("sh", [script, "--format", "prom"], { ...dirs.env, PLUGIN_AUDIT_ENGINE: "off" });
    expect(prom.status).toBe(0);
    const invalid = theirs.filter((p) => p.Err !== undefined).length;
    expect(prom.stdout).toContain(`docker_cli_plugins_invalid ${invalid}\n`);
    expect(prom.stdout).toMatch(/^docker_cli_plugin_info\{kind="cli",name="valid",path="[^"]+\/extra-plugins\/docker-valid",status="valid",version="v1.2.3"\} 1$/m);
    const lint = spawnPromtool(prom.stdout);
    expect(lint.status, lint.stderr + lint.stdout).toBe(0);
  });
});

function spawnPromtool(text: string): { status: number; stdout: string; stderr: string } {
  const dir = tempDir("prom");
  writeFileSync(join(dir, "m.prom"), text);
  return run("sh", ["-c", `promtool check metrics < "${dir}/m.prom"`], {});
}
