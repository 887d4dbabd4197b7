import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { alertRules } from "../../components/monitoring/alert-rules";
import { monitoringSchema } from "../../components/monitoring/args";
import { dashboardArtifacts, renderDashboards } from "../../dashboards";
import { isKnownMetricName, metricNamesInPromql } from "../../lib/metric-names";

interface Panel {
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; datasource?: { type?: string; uid?: string } }>;
}

const dashboards = renderDashboards();
const parsed = dashboards.map((d) => ({ ...d, model: JSON.parse(d.json) as { uid: string; panels: Panel[]; templating: { list: Array<{ name: string; type: string; query?: unknown }> } } }));
const promqlPanels = parsed.flatMap((d) => d.model.panels.filter((p) => p.type !== "row" && p.datasource?.type === "prometheus").map((p) => ({ dashboard: d.uid, panel: p })));
const expressions = promqlPanels.flatMap(({ dashboard, panel }) => (panel.targets ?? []).map((t) => ({ dashboard, title: panel.title ?? "", expr: t.expr ?? "" })));

/** Grafana's macros replaced by durations so promtool can parse the query. */
function withoutMacros(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval/g, "5m").replace(/\$__range/g, "1h");
}

describe("dashboards", () => {
  it("have the five stable uids, in order", () => {
    expect(dashboards.map((d) => d.uid)).toEqual([
      "buildfarm-build-overview",
      "buildfarm-cache-performance",
      "buildfarm-resources",
      "buildfarm-production-builder",
      "buildfarm-plugins",
    ]);
  });

  it("render byte-identical JSON on every call", () => {
    expect(renderDashboards()).toEqual(dashboards);
    expect(dashboardArtifacts().map((a) => a.path)).toEqual(dashboards.map((d) => `dashboards/${d.file}`));
  });

  it("each have a Prometheus datasource variable that every Prometheus panel and query uses", () => {
    for (const d of parsed) {
      expect(d.model.templating.list.find((v) => v.name === "datasource"), d.uid).toMatchObject({ type: "datasource", query: "prometheus" });
    }
    expect(promqlPanels.length).toBeGreaterThan(30);
    for (const { panel } of promqlPanels) {
      expect(panel.datasource?.uid, panel.title).toBe("${datasource}");
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, panel.title).toBe("${datasource}");
    }
  });

  it("filter every query by the environment and builder variables", () => {
    for (const { title, expr } of expressions) expect(expr, title).toMatch(/environment=~"\$environment",builder=~"\$builder"/);
  });

  it("parse with promtool (each expression as a recording rule)", () => {
    const dir = mkdtempSync(join(tmpdir(), "dashboards-promql-"));
    const file = join(dir, "dashboard-queries.yml");
    const rules = expressions.map((e, i) => ({ record: `dashboard_query_${i}`, expr: withoutMacros(e.expr) }));
    writeFileSync(file, stringify({ groups: [{ name: "dashboards", rules }] }, { lineWidth: 0 }));
    const result = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
    rmSync(dir, { recursive: true, force: true });
    expect(result.stdout + result.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.status).toBe(0);
  });

  it("promtool rejects a broken expression (the check can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "dashboards-promql-"));
    const file = join(dir, "bad.yml");
    writeFileSync(file, stringify({ groups: [{ name: "bad", rules: [{ record: "bad", expr: "sum by (builder (rate(x[5m]))" }] }] }));
    const result = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
    rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(1);
  });

  it("and alert rules only use metric names that exist (buildkitd fixture, exporter, node_exporter, plugins)", () => {
    const rules = alertRules(monitoringSchema.parse({}).thresholds);
    const used = [...expressions.map((e) => ({ where: `${e.dashboard}: ${e.title}`, expr: withoutMacros(e.expr) })), ...rules.map((r) => ({ where: r.alert, expr: r.expr }))];
    const unknown = used.flatMap(({ where, expr }) => metricNamesInPromql(expr).filter((n) => !isKnownMetricName(n)).map((n) => `${where}: ${n}`));
    expect(unknown).toEqual([]);
    expect(used.flatMap((u) => metricNamesInPromql(u.expr)).length).toBeGreaterThan(60);
  });
});
