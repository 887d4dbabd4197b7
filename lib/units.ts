import { z } from "zod";

/** Binary and decimal size suffixes, as systemd and BuildKit's go-units accept them. */
const SIZE_FACTORS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  TB: 1000 ** 4,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
};

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i;

/** Parses "8GiB", "512MB" or "1024" (bytes) into a byte count, or undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const factor = SIZE_FACTORS[(match[2] ?? "B").toUpperCase()];
  const bytes = Math.round(Number(match[1]) * (factor ?? 1));
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Parses "80%" into 80, or undefined. */
export function parsePercent(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  return value >= 0 && value <= 100 ? value : undefined;
}

const DURATION_FACTORS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses "48h", "30m", "7d" or "90s" into seconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (DURATION_FACTORS[match[2] as string] ?? 1);
}

/** A size such as "8GiB" or "512MB"; kept as written, checked here. */
export const sizeSchema = z.string().refine((value) => parseSize(value) !== undefined && parseSize(value)! > 0, {
  error: (issue) => `expected a size like "8GiB", got ${JSON.stringify(issue.input)}`,
});

/** A size ("20GB") or a share of the disk ("10%"), as BuildKit's GC settings accept. */
export const sizeOrPercentSchema = z.string().refine(
  (value) => (parseSize(value) ?? 0) > 0 || (parsePercent(value) ?? 0) > 0,
  { error: (issue) => `expected a size like "20GB" or a percentage like "10%" (0-100), got ${JSON.stringify(issue.input)}` },
);

export const percentSchema = z.string().refine((value) => parsePercent(value) !== undefined, {
  error: (issue) => `expected a percentage like "80%" (0-100), got ${JSON.stringify(issue.input)}`,
});

export const durationSchema = z.string().refine((value) => (parseDuration(value) ?? 0) > 0, {
  error: (issue) => `expected a duration like "48h", "30m" or "7d", got ${JSON.stringify(issue.input)}`,
});

/** Formats a byte count the way systemd reads it ("8G" is 8 GiB there). */
export function systemdBytes(bytes: number): string {
  const units: Array<[string, number]> = [["T", 1024 ** 4], ["G", 1024 ** 3], ["M", 1024 ** 2], ["K", 1024]];
  for (const [suffix, factor] of units) {
    if (bytes % factor === 0) return `${bytes / factor}${suffix}`;
  }
  return String(bytes);
}
