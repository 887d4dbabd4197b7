import { renderTextTable } from "../table";
import type { CheckResult } from "./check";

const HEADER = ["component", "check", "result", "measured", "failed step", "what to do"] as const;

/** The health table: one line per check; failures carry the step and the remedy. */
export function renderHealthTable(results: readonly CheckResult[]): string {
  const rows = results.map((r) => [r.component, r.check, r.ok ? "ok" : "FAIL", r.measured, r.failedStep ?? "", r.remedy ?? ""]);
  const failed = results.filter((r) => !r.ok).length;
  const summary = failed === 0 ? `healthy: ${results.length} checks passed` : `UNHEALTHY: ${failed} of ${results.length} checks failed`;
  return renderTextTable(HEADER, rows) + `\n${summary}\n`;
}

/** The machine-readable form (`--json`). */
export function renderHealthJson(results: readonly CheckResult[]): string {
  return JSON.stringify({ healthy: results.every((r) => r.ok), checks: results }, null, 2) + "\n";
}
