import type { OutputsSource } from "./outputs-reader";
import { UsageError } from "./usage-error";

/** `--outputs FILE` or `--stack NAME` (with the Pulumi CLI); exactly one. */
export function outputsSource(values: { outputs?: string; stack?: string; pulumi?: string }): OutputsSource {
  if (values.outputs !== undefined && values.stack !== undefined) throw new UsageError("pass either --outputs FILE or --stack NAME, not both");
  if (values.outputs !== undefined) return { kind: "file", path: values.outputs };
  if (values.stack !== undefined) return { kind: "stack", stack: values.stack, pulumiBinary: values.pulumi ?? "pulumi" };
  throw new UsageError("missing --outputs FILE (from `pulumi stack output --json --show-secrets`) or --stack NAME");
}

/** Parses a number option within bounds, naming the flag on error. */
export function numberOption(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${flag} must be a number from ${min} to ${max} (got "${text}")`);
  return value;
}
