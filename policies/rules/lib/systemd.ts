/** Just enough of systemd's unit syntax to read directives: `[Section]` headers and `Key=Value` lines. */

export type UnitDirectives = Map<string, string[]>;

/** Directives as `Section.Key` → values in file order; comments, blanks and continuations handled. */
export function parseUnit(text: string): UnitDirectives {
  const directives: UnitDirectives = new Map();
  let section = "";
  const lines = text.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1] ?? "";
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = `${section}.${line.slice(0, eq).trim()}`;
    const value = line.slice(eq + 1).trim();
    // An empty assignment resets a list-valued directive, as systemd does.
    if (value === "") directives.set(key, []);
    else directives.set(key, [...(directives.get(key) ?? []), value]);
  }
  return directives;
}

/** The last value of a directive (systemd's "last one wins" for scalar settings). */
export function lastValue(directives: UnitDirectives, key: string): string | undefined {
  const values = directives.get(key);
  return values && values.length > 0 ? values[values.length - 1] : undefined;
}

function baseName(file: string): string {
  return file.split("/").pop() ?? file;
}

/**
 * Service units with their drop-ins (`<unit>.d/*.conf`) merged in lexical order, keyed by unit file name.
 * `units` is a record of relative path → unit text, as BuildkitHost exposes it.
 */
export function mergedServices(units: Readonly<Record<string, string>>): Map<string, UnitDirectives> {
  const services = new Map<string, UnitDirectives>();
  const files = Object.keys(units).sort();
  for (const file of files) {
    if (file.endsWith(".service")) services.set(baseName(file), parseUnit(units[file] ?? ""));
  }
  for (const file of files) {
    const dropIn = /([^/]+\.service)\.d\/[^/]+\.conf$/.exec(file);
    const target = dropIn?.[1] ? services.get(dropIn[1]) : undefined;
    if (!target) continue;
    for (const [key, values] of parseUnit(units[file] ?? "")) {
      target.set(key, values.length === 0 ? [] : [...(target.get(key) ?? []), ...values]);
    }
  }
  return services;
}
