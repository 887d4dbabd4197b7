import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/errors";
import { readStackFile, runStack, type StackRun } from "../lib/plan";
import { countMandatory, formatTable } from "../policies/offline";
import { buildfarmPolicies } from "../policies/rules";
import { POLICY_STACKS, runPolicies } from "./policy";

export const EXIT_OK = 0;
export const EXIT_POLICY_VIOLATION = 1;
export const EXIT_INVALID_CONFIG = 2;

/** Writes resources.json and every artifact under DIR/<stack>/. */
export function writePlan(run: StackRun, stack: string, outDir: string): string {
  const stackDir = path.join(outDir, stack);
  rmSync(stackDir, { recursive: true, force: true });
  mkdirSync(path.join(stackDir, "artifacts"), { recursive: true });
  writeFileSync(path.join(stackDir, "resources.json"), JSON.stringify(run.resources, null, 2) + "\n");
  writeFileSync(path.join(stackDir, "outputs.json"), JSON.stringify(run.outputs, null, 2) + "\n");
  for (const artifact of run.artifacts) {
    const target = path.join(stackDir, "artifacts", artifact.path);
    if (!target.startsWith(path.join(stackDir, "artifacts") + path.sep)) throw new Error(`artifact path escapes the plan folder: ${artifact.path}`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, artifact.content);
  }
  return stackDir;
}

/** Resource counts by component (top-level parent) and type, as a table. */
export function summaryTable(run: StackRun): string {
  const byName = new Map(run.resources.map((r) => [r.name, r]));
  const componentOf = (name: string | null): string => {
    let current = name === null ? undefined : byName.get(name);
    let top = current;
    while (current?.parent) {
      top = byName.get(current.parent) ?? top;
      current = byName.get(current.parent);
    }
    return top ? `${top.type.split(":").pop()}/${top.name}` : "(stack)";
  };
  const counts = new Map<string, number>();
  for (const resource of run.resources) {
    const key = `${componentOf(resource.parent ?? null)}\t${resource.type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => [...key.split("\t"), String(n)]);
  const header = ["component", "type", "count"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), `total: ${run.resources.length} resources, ${run.artifacts.length} artifacts`].join("\n");
}

/** `npm run plan`: reads Pulumi.<stack>.yaml from `cwd`, writes the plan, runs the policy pack; returns the exit code. */
export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { stack: { type: "string" }, out: { type: "string", default: "out/plan" } } });
  if (values.stack === undefined) {
    console.error("usage: npm run plan -- --stack dev|prod [--out DIR]");
    return EXIT_INVALID_CONFIG;
  }
  let run: StackRun;
  try {
    const stackFile = readStackFile(values.stack, cwd);
    // The Pulumi SDK captures a stack trace per promise (about two thirds of plan's time); plan reports no traces.
    const traceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      run = await runStack({ stack: values.stack, config: stackFile.config, secretKeys: stackFile.secretKeys });
    } finally {
      Error.stackTraceLimit = traceLimit;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return EXIT_INVALID_CONFIG;
    }
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      console.error(`no stack file: ${(error as Error).message}`);
      return EXIT_INVALID_CONFIG;
    }
    throw error;
  }
  const dir = writePlan(run, values.stack, path.resolve(cwd, values.out!));
  console.log(summaryTable(run));
  console.log(`plan written to ${dir}`);
  // The same policy pack `pulumi preview --policy-pack policies` runs, with the policy config of the stack's environment.
  const environment = (run.outputs as { environment?: string } | null)?.environment;
  const policyStack = (POLICY_STACKS as readonly string[]).includes(environment ?? "") ? environment : undefined;
  const { violations } = await runPolicies(run.resources, { stack: policyStack });
  writeFileSync(path.join(dir, "policy-violations.json"), JSON.stringify(violations, null, 2) + "\n");
  console.log(formatTable(violations, buildfarmPolicies));
  return countMandatory(violations) > 0 ? EXIT_POLICY_VIOLATION : EXIT_OK;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(EXIT_POLICY_VIOLATION + 2);
    },
  );
}
