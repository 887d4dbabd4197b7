import type { AlertRule } from "./alert-rules";
import { inlineRecordingRules } from "./recording-rules";
import { groupRules } from "./render-rules";

/** Grafana's server-side expression datasource. */
const EXPRESSION_DATASOURCE = "__expr__";

/** A Grafana-managed rule (the shape `grafana.alerting.RuleGroup` takes), from one of our alert rules. */
export interface GrafanaRule {
  readonly name: string;
  readonly for: string;
  readonly condition: "C";
  readonly noDataState: "OK";
  readonly execErrState: "Error";
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly datas: Array<{ refId: string; datasourceUid: string; relativeTimeRange: { from: number; to: number }; model: string }>;
}

/**
 * Our expressions already return only offending series, so the Grafana rule queries `(expr) * 0 + 1`
 * (keeping the labels) and fires when that is > 0. Absent series are "no data", which is OK.
 * Grafana's ruler does not evaluate our recording rules, so recorded series are inlined.
 */
export function grafanaRule(rule: AlertRule, datasourceUid: string): GrafanaRule {
  return {
    name: rule.alert,
    for: rule.for,
    condition: "C",
    noDataState: "OK",
    execErrState: "Error",
    labels: { severity: rule.severity },
    annotations: { summary: rule.summary, description: rule.description, runbook: rule.runbook },
    datas: [
      {
        refId: "A",
        datasourceUid,
        relativeTimeRange: { from: 600, to: 0 },
        model: JSON.stringify({ refId: "A", expr: `(${inlineRecordingRules(rule.expr)}) * 0 + 1`, instant: true, range: false }),
      },
      {
        refId: "C",
        datasourceUid: EXPRESSION_DATASOURCE,
        relativeTimeRange: { from: 0, to: 0 },
        model: JSON.stringify({ refId: "C", type: "threshold", expression: "A", conditions: [{ evaluator: { type: "gt", params: [0] } }] }),
      },
    ],
  };
}

/** Rule groups for Grafana, same grouping as the Prometheus rule files. */
export function grafanaRuleGroups(rules: readonly AlertRule[], datasourceUid: string): Array<{ name: string; rules: GrafanaRule[] }> {
  return [...groupRules(rules).entries()].map(([name, group]) => ({ name, rules: group.map((r) => grafanaRule(r, datasourceUid)) }));
}
