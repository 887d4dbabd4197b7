import { z } from "zod";
import { KNOWN_PLUGINS } from "./known-plugins";

/** One row of `plugin-audit.sh` output (its JSON interface). */
export const auditEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  status: z.enum(["valid", "invalid", "shadowed"]),
  reason: z.string(),
  version: z.string(),
  vendor: z.string(),
  shortDescription: z.string().default(""),
  kind: z.enum(["cli", "engine"]).default("cli"),
});
export type AuditEntry = z.output<typeof auditEntrySchema>;

export interface InventoryEntry {
  readonly name: string;
  readonly path: string;
  readonly kind: "cli" | "engine";
  readonly status: AuditEntry["status"];
  readonly reason: string;
  readonly version: string;
  readonly vendor: string;
  /** From the known-plugins catalogue, else the plugin's ShortDescription, else "". */
  readonly purpose: string;
}

export interface Inventory {
  readonly entries: InventoryEntry[];
  readonly counts: { readonly valid: number; readonly invalid: number; readonly shadowed: number };
  readonly markdown: string;
}

/** Parses the audit script's stdout; an empty string (nothing ran yet) is an empty audit. */
export function parseAudit(stdout: string): AuditEntry[] {
  if (stdout.trim() === "") return [];
  return z.array(auditEntrySchema).parse(JSON.parse(stdout));
}

function purposeOf(entry: AuditEntry): string {
  if (entry.kind === "cli") {
    const known = KNOWN_PLUGINS[entry.name];
    if (known !== undefined) return known.purpose;
  }
  return entry.shortDescription;
}

const cell = (text: string): string => (text === "" ? "-" : text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " "));

/** The inventory: audit rows (in audit order) plus documented purposes, and a Markdown table. */
export function renderInventory(audit: readonly AuditEntry[]): Inventory {
  // The audit's order is the Docker CLI's (natural name order, winner before shadowed copies): keep it.
  const entries: InventoryEntry[] = audit.map((entry) => ({
    name: entry.name,
    path: entry.path,
    kind: entry.kind,
    status: entry.status,
    reason: entry.reason,
    version: entry.version,
    vendor: entry.vendor,
    purpose: purposeOf(entry),
  }));
  const counts = { valid: 0, invalid: 0, shadowed: 0 };
  for (const entry of entries) counts[entry.status] += 1;
  const header = ["| Name | Kind | Status | Version | Vendor | Path | Purpose | Reason |", "|---|---|---|---|---|---|---|---|"];
  const rows = entries.map((e) => `| ${[e.name, e.kind, e.status, e.version, e.vendor, e.path, e.purpose, e.reason].map(cell).join(" | ")} |`);
  const summary = `${counts.valid} valid, ${counts.invalid} invalid, ${counts.shadowed} shadowed`;
  const markdown = ["# Docker plugin inventory", "", summary, "", ...(entries.length === 0 ? ["No plugins found (or the audit has not run yet)."] : [...header, ...rows]), ""].join("\n");
  return { entries, counts, markdown };
}
