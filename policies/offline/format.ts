import type { Policy } from "@pulumi/policy";
import type { Violation } from "./evaluate";

/** One JSON object per line: {"policy","resource","type","level","message"}. */
export function formatJsonLines(violations: readonly Violation[]): string {
  return violations.map((v) => JSON.stringify({ policy: v.policy, resource: v.resource, type: v.type, level: v.level, message: v.message })).join("\n");
}

/** A fixed-width table with a summary line, then how to fix each violated policy (when `policies` are given). */
export function formatTable(violations: readonly Violation[], policies: readonly Policy[] = []): string {
  const mandatory = violations.filter((v) => v.level === "mandatory").length;
  const summary = `${violations.length} violation(s): ${mandatory} mandatory, ${violations.length - mandatory} advisory`;
  if (violations.length === 0) return `no policy violations\n${summary}`;
  const header = ["level", "policy", "resource", "message"];
  const rows = violations.map((v) => [v.level, v.policy, v.resource, v.message]);
  const widths = header.slice(0, 3).map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c)).join("  ").trimEnd();
  const fixes = [...new Set(violations.map((v) => v.policy))]
    .map((name) => policies.find((p) => p.name === name))
    .filter((p): p is Policy => p?.remediationSteps !== undefined)
    .map((p) => `  ${p.name}: ${p.remediationSteps}`);
  return [line(header), line([...widths.map((w) => "-".repeat(w)), "-------"]), ...rows.map(line), summary, ...(fixes.length > 0 ? ["how to fix:", ...fixes] : [])].join("\n");
}
