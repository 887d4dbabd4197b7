/**
 * A reader for the TOML subset buildkitd.toml uses (tables, dotted/quoted table names, strings,
 * booleans, numbers, string arrays, possibly over several lines). The pack carries no TOML
 * dependency; anything it cannot read is left out, and the policies also check the typed settings.
 */

export type TomlValue = string | number | boolean | TomlValue[];
/** Table path (e.g. `grpc.tls`, `worker.oci`) → key → value. */
export type TomlTables = Map<string, Map<string, TomlValue>>;

function unquote(name: string): string {
  return name.trim().replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
}

function tableName(header: string): string {
  const parts: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (const char of header) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === ".") {
      parts.push(current.trim());
      current = "";
    } else current += char;
  }
  parts.push(current.trim());
  return parts.join(".");
}

function parseScalar(text: string): TomlValue | undefined {
  const value = text.trim();
  if (value === "true") return true;
  if (value === "false") return false;
  if (/^"(?:[^"\\]|\\.)*"$/.test(value)) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return undefined;
    }
  }
  if (/^'[^']*'$/.test(value)) return value.slice(1, -1);
  if (/^[+-]?\d[\d_]*(\.\d+)?$/.test(value)) return Number(value.replace(/_/g, ""));
  if (value.startsWith("[") && value.endsWith("]")) {
    const items: TomlValue[] = [];
    const inner = value.slice(1, -1);
    const tokens = inner.match(/"(?:[^"\\]|\\.)*"|'[^']*'|[^,\s]+/g) ?? [];
    for (const token of tokens) {
      const item = parseScalar(token);
      if (item !== undefined) items.push(item);
    }
    return items;
  }
  return undefined;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === "\\" && quote === '"') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "#") return line.slice(0, i);
  }
  return line;
}

export function readToml(text: string): TomlTables {
  const tables: TomlTables = new Map([["", new Map()]]);
  let table = "";
  const lines = text.split(/\r?\n/).map(stripComment);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === "") continue;
    const header = /^\[\[?(.+?)\]\]?$/.exec(line);
    if (header && !line.includes("=")) {
      table = tableName(header[1] ?? "");
      if (!tables.has(table)) tables.set(table, new Map());
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = unquote(line.slice(0, eq));
    let value = line.slice(eq + 1).trim();
    // Multi-line arrays: keep reading until brackets balance.
    while (value.startsWith("[") && (value.match(/\[/g) ?? []).length > (value.match(/\]/g) ?? []).length && i + 1 < lines.length) {
      i++;
      value += " " + (lines[i] ?? "").trim();
    }
    const parsed = parseScalar(value.replace(/,\s*\]$/, "]"));
    if (parsed !== undefined) tables.get(table)?.set(key, parsed);
  }
  return tables;
}

export function tomlValue(tables: TomlTables, table: string, key: string): TomlValue | undefined {
  return tables.get(table)?.get(key);
}
