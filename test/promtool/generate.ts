import { stringify } from "yaml";
import type { AlertRule } from "../../components/monitoring/alert-rules";
import { YAML_OPTIONS } from "../../components/monitoring/render-rules";
import type { ExpectedAlert, PromtoolTestFile } from "./cases";

/** Expands the annotation templates our rules use; anything else is an error so tests never drift silently. */
export function expandTemplate(template: string, expected: ExpectedAlert): string {
  const text = template
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => {
      const value = expected.labels[label];
      if (value === undefined) throw new Error(`template uses $labels.${label}, which the expected alert lacks`);
      return value;
    })
    .replace(/\{\{ \$value( \| humanizePercentage)? \}\}/g, () => {
      if (expected.value === undefined) throw new Error(`template uses $value: give the expected value (${template})`);
      return expected.value;
    })
    .replace(/\{\{ "([^"]*)" \}\}/g, "$1");
  if (/\{\{ [$.]/.test(text)) throw new Error(`unexpanded template: ${text}`);
  return text;
}

/** The `promtool test rules` file for one group of cases. */
export function renderPromtoolTestFile(file: PromtoolTestFile, rules: readonly AlertRule[]): string {
  const byName = new Map(rules.map((r) => [r.alert, r]));
  const doc = {
    rule_files: [`rules/${file.group}.yml`],
    evaluation_interval: file.evaluationInterval,
    tests: file.tests.map((test) => ({
      name: test.name,
      interval: test.interval,
      input_series: test.series.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: test.checks.map((check) => {
        const rule = byName.get(check.alert);
        if (rule === undefined) throw new Error(`no alert named ${check.alert}`);
        return {
          eval_time: check.at,
          alertname: check.alert,
          exp_alerts: check.fires.map((expected) => ({
            exp_labels: { ...expected.labels, severity: rule.severity },
            exp_annotations: {
              summary: expandTemplate(rule.summary, expected),
              description: expandTemplate(rule.description, expected),
              runbook: expandTemplate(rule.runbook, expected),
            },
          })),
        };
      }),
    })),
  };
  return `# Generated from test/promtool/cases.ts by test/promtool/generate.ts (UPDATE_PROMTOOL=1 npx vitest run test/promtool).\n${stringify(doc, YAML_OPTIONS)}`;
}
