import { EXPORTER_METRICS as M, RECORDED_METRICS as R } from "../../lib/metric-names";
import type { AlertRule } from "./alert-rules";

/** A Prometheus recording rule, evaluated before the alerts of its group. */
export interface RecordingRule {
  readonly record: string;
  readonly group: AlertRule["group"];
  readonly expr: string;
}

/** The labels every farm-level aggregate keeps. */
export const BY = "environment, builder";

/**
 * The farm's one cache hit ratio: cached user steps over cacheable user steps (exporter/build-analysis.ts
 * defines them), over the last hour, by builder. Alerts, dashboards and the `ops report` read this series,
 * never buildkitd's all-vertex `buildkit_builds_steps_total`. No series while a builder ran no cacheable step.
 */
export function recordingRules(): RecordingRule[] {
  const steps = (result?: string): string =>
    `sum by (${BY}) (rate(${M.userStepsTotal}${result === undefined ? "" : `{result="${result}"}`}[1h]))`;
  return [{ record: R.cacheUserHitRatio1h, group: "buildfarm-cache", expr: `${steps("cached")} / (${steps()} > 0)` }];
}

/** An expression with every recorded series replaced by its definition (for rulers that do not evaluate our recording rules, e.g. Grafana-managed alerts). */
export function inlineRecordingRules(expr: string, rules: readonly RecordingRule[] = recordingRules()): string {
  return rules.reduce((text, rule) => text.split(rule.record).join(`(${rule.expr})`), expr);
}
