import { CONFIG_NAMESPACE, ConfigError, formatIssues } from "./errors";
import { stackConfigSchema, type StackConfig } from "./schema";

/**
 * Validates Pulumi config (`buildfarm:key` → raw string, as `pulumi.runtime.allConfig()` returns it).
 * Throws one ConfigError naming every offending key; nothing else runs before this.
 */
export function loadStackConfig(rawConfig: Readonly<Record<string, string>>): StackConfig {
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [fullKey, raw] of Object.entries(rawConfig)) {
    const [namespace, key] = fullKey.split(":", 2);
    if (namespace !== CONFIG_NAMESPACE || key === undefined) continue;
    input[key] = decodeValue(raw);
  }
  const result = stackConfigSchema.safeParse(input);
  if (!result.success) problems.push(...formatIssues(result.error.issues, input));
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data as StackConfig;
}

/** Pulumi hands structured values as JSON text and plain ones as strings. */
function decodeValue(raw: string): unknown {
  const trimmed = raw.trim();
  if (/^[[{]/.test(trimmed) || /^(true|false|null|-?\d+(\.\d+)?)$/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return raw;
    }
  }
  return raw;
}
