/** Safe readers for untyped resource props (inputs as the engine or `resources.json` passes them). */

export type Props = Record<string, unknown>;

export function asRecord(value: unknown): Props | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Props) : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return asArray(value).filter((v): v is string => typeof v === "string");
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Reads a nested value: `at(props, "spec", "template", "spec")`. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (typeof key === "number") current = Array.isArray(current) ? current[key] : undefined;
    else current = asRecord(current)?.[key];
    if (current === undefined) return undefined;
  }
  return current;
}

/** Parses a JSON document given as text (policy documents, dashboard JSON) or already as an object. */
export function parseJsonish(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}
