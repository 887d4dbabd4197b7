import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alertRules } from "../../components/monitoring/alert-rules";
import { monitoringSchema } from "../../components/monitoring/args";
import { recordingRules } from "../../components/monitoring/recording-rules";
import { renderRuleFiles } from "../../components/monitoring/render-rules";
import { FRESH_SERIES, HEALTHY_FARM, PRODUCTION_THRESHOLDS, PROMTOOL_TEST_FILES } from "./cases";
import { renderPromtoolTestFile } from "./generate";

const HERE = __dirname;
const settings = monitoringSchema.parse({});
const rules = alertRules(settings.thresholds, PRODUCTION_THRESHOLDS);
const ruleFiles = renderRuleFiles(rules, settings.evaluationInterval);
const testFiles = PROMTOOL_TEST_FILES.map((file) => ({ path: `${file.file}.test.yml`, content: renderPromtoolTestFile(file, rules) }));

// Regenerate the committed files on request; otherwise they must match what the code renders.
if (process.env.UPDATE_PROMTOOL === "1") {
  mkdirSync(join(HERE, "rules"), { recursive: true });
  for (const file of [...ruleFiles, ...testFiles]) writeFileSync(join(HERE, file.path), String(file.content));
}

describe("committed promtool files", () => {
  it("rules/*.yml equal the rules rendered with default thresholds (and ProductionBuilder's)", () => {
    expect(readdirSync(join(HERE, "rules")).sort()).toEqual(ruleFiles.map((f) => f.path.replace("rules/", "")).sort());
    for (const file of ruleFiles) expect(readFileSync(join(HERE, file.path), "utf8"), file.path).toBe(file.content);
  });

  it("*.test.yml equal the files generated from cases.ts", () => {
    for (const file of testFiles) expect(readFileSync(join(HERE, file.path), "utf8"), file.path).toBe(file.content);
  });
});

describe("alert rules under promtool", () => {
  it("pass `promtool check rules`", () => {
    const out = execFileSync("promtool", ["check", "rules", ...ruleFiles.map((f) => f.path)], { cwd: HERE, encoding: "utf8" });
    const cacheRules = rules.filter((r) => r.group === "buildfarm-cache").length + recordingRules().filter((r) => r.group === "buildfarm-cache").length;
    expect(out).toContain(`Checking rules/buildfarm-cache.yml\n  SUCCESS: ${cacheRules} rules found`);
  });

  it("pass `promtool test rules` for every case", () => {
    const result = spawnSync("promtool", ["test", "rules", ...testFiles.map((f) => f.path)], { cwd: HERE, encoding: "utf8" });
    expect(result.stdout + result.stderr).not.toContain("FAILED");
    expect(result.status).toBe(0);
  });

  it("have a firing case and a quiet case for every alert", () => {
    const checks = PROMTOOL_TEST_FILES.flatMap((f) => f.tests.flatMap((t) => t.checks));
    for (const rule of rules) {
      expect(checks.some((c) => c.alert === rule.alert && c.fires.length > 0), `${rule.alert} firing case`).toBe(true);
      expect(checks.some((c) => c.alert === rule.alert && c.fires.length === 0), `${rule.alert} quiet case`).toBe(true);
    }
  });

  it("have every alert quiet on a healthy, fully cached farm", () => {
    const healthy = PROMTOOL_TEST_FILES.flatMap((f) => f.tests.filter((t) => t.name === HEALTHY_FARM).flatMap((t) => t.checks));
    for (const rule of rules.filter((r) => r.alert !== "BuildkitBuildDurationRegression")) {
      expect(healthy.some((c) => c.alert === rule.alert && c.fires.length === 0), `${rule.alert} quiet on the healthy farm`).toBe(true);
    }
  });

  it("see the first failure of a fresh series in every alert that counts failures", () => {
    const fresh = PROMTOOL_TEST_FILES.flatMap((f) => f.tests.filter((t) => t.name === FRESH_SERIES).flatMap((t) => t.checks));
    const countsFailures = rules.filter((r) => /buildkit_builds_total\{status="failure"|cache_errors_total/.test(r.expr));
    expect(countsFailures.length).toBeGreaterThanOrEqual(3);
    for (const rule of countsFailures) expect(fresh.some((c) => c.alert === rule.alert && c.fires.length > 0), `${rule.alert} fresh-series case`).toBe(true);
  });

  it("give every alert a summary, a description, a runbook and a severity", () => {
    for (const rule of rules) {
      expect(rule.summary.length, rule.alert).toBeGreaterThan(10);
      expect(rule.description.length, rule.alert).toBeGreaterThan(20);
      expect(rule.runbook.length, rule.alert).toBeGreaterThan(20);
      expect(["warning", "critical"]).toContain(rule.severity);
    }
  });

  it("fail promtool when an alert does not fire as the case expects (the harness can fail)", () => {
    const broken = alertRules({ ...settings.thresholds, cacheHitRatioMin: 0.1 }, PRODUCTION_THRESHOLDS);
    const dir = mkdtempSync(join(tmpdir(), "promtool-broken-"));
    mkdirSync(join(dir, "rules"));
    for (const file of renderRuleFiles(broken, settings.evaluationInterval)) writeFileSync(join(dir, file.path), String(file.content));
    const cache = testFiles.find((f) => f.path === "buildfarm-cache.test.yml");
    writeFileSync(join(dir, "cache.test.yml"), String(cache?.content));
    const result = spawnSync("promtool", ["test", "rules", "cache.test.yml"], { cwd: dir, encoding: "utf8" });
    rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain("alertname: BuildkitCacheHitRatioLow");
  });
});
