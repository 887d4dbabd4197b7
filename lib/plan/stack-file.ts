import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** Stands in for a `secure:` value, which only the Pulumi CLI can decrypt. */
export const SECURE_PLACEHOLDER = "plan-placeholder-secret";

export interface StackFileConfig {
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
}

/**
 * Reads `Pulumi.<stack>.yaml` into the raw `namespace:key` → string map the Pulumi engine hands a program.
 * `secure:` values become a placeholder and their keys are marked secret.
 */
export function readStackFile(stack: string, directory = process.cwd()): StackFileConfig {
  const file = path.join(directory, `Pulumi.${stack}.yaml`);
  const document = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  return stackConfigFromObject(document.config ?? {});
}

/** Converts a config object (as in a stack file) into raw config values. */
export function stackConfigFromObject(values: Record<string, unknown>): StackFileConfig {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const { value: plain, secret } = replaceSecure(value);
    config[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    if (secret) secretKeys.push(key);
  }
  return { config, secretKeys };
}

function replaceSecure(value: unknown): { value: unknown; secret: boolean } {
  if (Array.isArray(value)) {
    const items = value.map(replaceSecure);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (Object.keys(record).length === 1 && typeof record.secure === "string") return { value: SECURE_PLACEHOLDER, secret: true };
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      const replaced = replaceSecure(v);
      out[k] = replaced.value;
      secret ||= replaced.secret;
    }
    return { value: out, secret };
  }
  return { value, secret: false };
}
