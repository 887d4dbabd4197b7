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

/** The service a drop-in belongs to: its `<unit>.service.d/` folder, else the longest service name its file name contains. */
function dropInTarget(file: string, services: readonly string[]): string | undefined {
  const folder = /([^/]+\.service)\.d\/[^/]+\.conf$/.exec(file)?.[1];
  if (folder) return services.includes(folder) ? folder : undefined;
  const name = baseName(file).replace(/\.conf$/, "");
  const stems = services.map((service) => service.replace(/\.service$/, "")).filter((stem) => new RegExp(`(^|[^a-z0-9])${stem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^a-z0-9]|$)`).test(name));
  const longest = stems.sort((a, b) => b.length - a.length)[0];
  return longest === undefined ? undefined : `${longest}.service`;
}

/**
 * Service units with their drop-ins merged in lexical order, keyed by unit file name. `units` is a
 * record of file → unit text, as BuildkitHost exposes it; a drop-in is either under `<unit>.service.d/`
 * or a bare `NN-<unit>-….conf` (BuildkitHost installs `50-buildkit-limits.conf` into `buildkit.service.d/`).
 * A drop-in that matches no service is ignored, so its limits do not count.
 */
export function mergedServices(units: Readonly<Record<string, string>>): Map<string, UnitDirectives> {
  const services = new Map<string, UnitDirectives>();
  const files = Object.keys(units).sort((a, b) => baseName(a).localeCompare(baseName(b)));
  for (const file of files) {
    if (file.endsWith(".service")) services.set(baseName(file), parseUnit(units[file] ?? ""));
  }
  for (const file of files) {
    if (!file.endsWith(".conf")) continue;
    const targetName = dropInTarget(file, [...services.keys()]);
    const target = targetName === undefined ? undefined : services.get(targetName);
    if (!target) continue;
    for (const [key, values] of parseUnit(units[file] ?? "")) {
      target.set(key, values.length === 0 ? [] : [...(target.get(key) ?? []), ...values]);
    }
  }
  return services;
}
