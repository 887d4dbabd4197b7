import type { z } from "zod";

/** The Pulumi config namespace of this project. */
export const CONFIG_NAMESPACE = "buildfarm";

/** A configuration error: one line per offending key, all of them at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid stack configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Renders a zod path as `buildfarm:hosts[1].resources.memoryMax`. */
export function configKeyPath(path: ReadonlyArray<PropertyKey>): string {
  let text = CONFIG_NAMESPACE + ":";
  path.forEach((segment, index) => {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += index === 0 ? String(segment) : `.${String(segment)}`;
  });
  return text;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Turns zod issues into one message per key, naming what was expected and what was found. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const found = valueAt(input, issue.path);
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          lines.push(`${configKeyPath([...issue.path, key])}: unknown key (check the spelling; allowed keys are listed in the README's config reference)`);
        }
        break;
      case "invalid_type": {
        // A schema's own message (e.g. "expected an AWS region like …") beats zod's generic one.
        const expected = issue.message.startsWith("Invalid input") ? `expected ${issue.expected}` : issue.message;
        lines.push(`${configKeyPath(issue.path)}: ${expected}, got ${describeValue(found)}`);
        break;
      }
      case "invalid_value":
        lines.push(`${configKeyPath(issue.path)}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(found)}`);
        break;
      case "invalid_union":
        lines.push(`${configKeyPath(issue.path)}: ${issue.message}, got ${describeValue(found)}`);
        break;
      case "too_small":
      case "too_big":
        lines.push(`${configKeyPath(issue.path)}: ${describeBound(issue)}, got ${describeValue(found)}`);
        break;
      default:
        lines.push(`${configKeyPath(issue.path)}: ${issue.message}`);
    }
  }
  return [...new Set(lines)];
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  if (!issue.message.startsWith("Too ")) return issue.message;
  const small = issue.code === "too_small";
  const bound = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
  const op = `${small ? ">" : "<"}${issue.inclusive === false ? "" : "="}`;
  switch (issue.origin) {
    case "array":
    case "set":
      return `expected a list with ${small ? "at least" : "at most"} ${String(bound)} entries`;
    case "string":
      return `expected text of ${small ? "at least" : "at most"} ${String(bound)} characters`;
    default:
      return `expected a number ${op} ${String(bound)}`;
  }
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
