import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { OUTPUTS_VERSION, stackOutputsSchema, type StackOutputValues } from "../stacks/outputs";
import { UsageError } from "./usage-error";

/** Where the stack's outputs come from: a file written by `pulumi stack output --json --show-secrets`, or the stack itself. */
export type OutputsSource = { readonly kind: "file"; readonly path: string } | { readonly kind: "stack"; readonly stack: string; readonly pulumiBinary: string };

/** Runs a program and returns its stdout (injectable for tests). */
export type ProgramRunner = (binary: string, args: readonly string[]) => Promise<string>;

const runProgram: ProgramRunner = (binary, args) =>
  new Promise((resolve, reject) => {
    execFile(binary, [...args], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message));
      else resolve(stdout);
    });
  });

/**
 * Parses the JSON of `pulumi stack output --json` against the versioned contract. The version is checked first
 * so an older or newer stack gets a message about the version, not about a missing key.
 */
export function parseStackOutputs(text: string, origin: string): StackOutputValues {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${origin}: not JSON (${(error as Error).message}); write it with \`pulumi stack output --json --show-secrets > outputs.json\``);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new UsageError(`${origin}: expected a JSON object of stack outputs`);
  const version = (raw as Record<string, unknown>).outputsVersion;
  if (version !== OUTPUTS_VERSION) {
    throw new UsageError(`${origin}: outputsVersion is ${JSON.stringify(version)}, this tool reads version ${OUTPUTS_VERSION}; use the tool from the commit that deployed the stack`);
  }
  const secretsHidden = Object.entries(raw as Record<string, unknown>).filter(([, value]) => value === "[secret]").map(([key]) => key);
  if (secretsHidden.length > 0) {
    throw new UsageError(`${origin}: outputs ${secretsHidden.join(", ")} are "[secret]"; write the file with \`pulumi stack output --json --show-secrets\``);
  }
  const parsed = stackOutputsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new UsageError(`${origin}: outputs do not match contract version ${OUTPUTS_VERSION}:\n  ${problems.join("\n  ")}`);
  }
  return parsed.data;
}

/** Reads and parses the stack outputs; any failure is a UsageError (exit 2). */
export async function readStackOutputs(source: OutputsSource, run: ProgramRunner = runProgram): Promise<StackOutputValues> {
  if (source.kind === "file") {
    let text: string;
    try {
      text = await readFile(source.path, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read outputs file ${source.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return parseStackOutputs(text, source.path);
  }
  let text: string;
  try {
    text = await run(source.pulumiBinary, ["stack", "output", "--json", "--show-secrets", "--stack", source.stack]);
  } catch (error) {
    throw new UsageError(`\`pulumi stack output --stack ${source.stack}\` failed: ${(error as Error).message}; or pass --outputs FILE written by \`pulumi stack output --json --show-secrets\``);
  }
  return parseStackOutputs(text, `stack ${source.stack}`);
}
