import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PLUGIN_METRICS } from "../../../lib/metric-names";
import { makePluginDirs } from "./fixture-dirs";
import { run, writeScripts } from "./helpers";

describe("plugin-health.sh", () => {
  it("writes a textfile-collector file promtool accepts, atomically, with the invalid count", () => {
    const dirs = makePluginDirs();
    const textfileDir = join(dirs.root, "textfile");
    const scripts = writeScripts(dirs.root, { textfileDir });
    const result = run("sh", [join(scripts, "plugin-health.sh")], { ...dirs.env, PLUGIN_SYSTEM_DIRS: "", PLUGIN_AUDIT_ENGINE: "off" });
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(textfileDir)).toEqual(["docker_cli_plugins.prom"]);
    const text = readFileSync(join(textfileDir, "docker_cli_plugins.prom"), "utf8");
    expect(text).toContain(`${PLUGIN_METRICS.pluginsInvalid} 9\n`);
    expect(text).toContain(`# TYPE ${PLUGIN_METRICS.pluginInfo} gauge\n`);
    expect(text).toContain("docker_cli_plugins_shadowed 1\n");
    expect(text).toMatch(/^docker_cli_plugin_info\{kind="cli",name="ps",path="[^"]+",status="invalid",version=""\} 1$/m);
    const lint = run("sh", ["-c", `promtool check metrics < "${join(textfileDir, "docker_cli_plugins.prom")}"`], {});
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
  });

  it("leaves the previous file when the audit cannot run", () => {
    const dirs = makePluginDirs();
    const textfileDir = join(dirs.root, "textfile");
    const scripts = writeScripts(dirs.root, { textfileDir });
    expect(run("sh", [join(scripts, "plugin-health.sh")], { ...dirs.env, PLUGIN_SYSTEM_DIRS: "", PLUGIN_AUDIT_ENGINE: "off" }).status).toBe(0);
    const before = readFileSync(join(textfileDir, "docker_cli_plugins.prom"), "utf8");
    const broken = run("sh", [join(scripts, "plugin-health.sh")], { ...dirs.env, PLUGIN_AUDIT: join(dirs.root, "missing.sh") });
    expect(broken.status).toBe(1);
    expect(readFileSync(join(textfileDir, "docker_cli_plugins.prom"), "utf8")).toBe(before);
    expect(readdirSync(textfileDir)).toEqual(["docker_cli_plugins.prom"]);
  });
});
