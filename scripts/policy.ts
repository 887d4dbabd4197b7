import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { PolicyConfigError, type PolicyPackConfigFile } from "../policies/offline/config";
import { countMandatory, evaluatePolicies, type Evaluation, type PlanResource } from "../policies/offline/evaluate";
import { formatJsonLines, formatTable } from "../policies/offline/format";
import { buildfarmPolicies, PACK_ENFORCEMENT_LEVEL } from "../policies/rules";

export const EXIT_OK = 0;
export const EXIT_MANDATORY_VIOLATION = 1;
export const EXIT_INVALID_INPUT = 2;

/** Per-stack policy pack config, the same files `pulumi preview --policy-pack-config` takes. */
export const POLICY_CONFIG_DIR = path.join(__dirname, "..", "policies", "config");
export const POLICY_STACKS = ["dev", "prod"] as const;

export class PolicyInputError extends Error {}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new PolicyInputError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PolicyInputError(`${what} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Checks the resources.json shape: an array of {type, name, props}. */
export function parseResources(value: unknown, source = "resources"): PlanResource[] {
  if (!Array.isArray(value)) throw new PolicyInputError(`${source}: expected a JSON array of {type, name, props}, got ${value === null ? "null" : typeof value}`);
  return value.map((entry, i) => {
    const record = entry as Record<string, unknown> | null;
    if (record === null || typeof record !== "object" || Array.isArray(record)) throw new PolicyInputError(`${source}[${i}]: expected an object {type, name, props}`);
    if (typeof record["type"] !== "string" || record["type"] === "") throw new PolicyInputError(`${source}[${i}].type: expected a Pulumi type token, got ${JSON.stringify(record["type"])}`);
    if (typeof record["name"] !== "string" || record["name"] === "") throw new PolicyInputError(`${source}[${i}].name: expected a resource name, got ${JSON.stringify(record["name"])}`);
    const props = record["props"] ?? {};
    if (props === null || typeof props !== "object" || Array.isArray(props)) throw new PolicyInputError(`${source}[${i}].props: expected an object, got ${JSON.stringify(props)}`);
    const parent = typeof record["parent"] === "string" ? record["parent"] : null;
    return { type: record["type"], name: record["name"], parent, props };
  });
}

/** The stack's policy config file (policies/config/<stack>.json); no stack → the pack's defaults. */
export function stackPolicyConfig(stack: string | undefined): PolicyPackConfigFile | undefined {
  if (stack === undefined) return undefined;
  if (!(POLICY_STACKS as readonly string[]).includes(stack)) throw new PolicyInputError(`--stack: expected one of ${POLICY_STACKS.join(", ")}, got "${stack}"`);
  return readJson(path.join(POLICY_CONFIG_DIR, `${stack}.json`), "policy config") as PolicyPackConfigFile;
}

/** Runs the whole pack on plan resources with the stack's config (and an optional extra config file). */
export async function runPolicies(resources: readonly PlanResource[], options: { stack?: string; configFile?: string } = {}): Promise<Evaluation> {
  const extra = options.configFile === undefined ? undefined : (readJson(options.configFile, "policy config") as PolicyPackConfigFile);
  try {
    return await evaluatePolicies(resources, {
      policies: buildfarmPolicies,
      packEnforcementLevel: PACK_ENFORCEMENT_LEVEL,
      configs: [stackPolicyConfig(options.stack), extra],
      stack: options.stack ?? "offline",
    });
  } catch (error) {
    if (error instanceof PolicyConfigError) throw new PolicyInputError(error.message);
    throw error;
  }
}

const USAGE = "usage: npm run policy -- --resources FILE.json [--stack dev|prod] [--format json|table] [--config POLICY-CONFIG.json]";

/** `npm run policy`: evaluates a resources file against the pack; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let values: { resources?: string; stack?: string; format?: string; config?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { resources: { type: "string" }, stack: { type: "string" }, format: { type: "string", default: "table" }, config: { type: "string" } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return EXIT_INVALID_INPUT;
  }
  if (values.resources === undefined || (values.format !== "json" && values.format !== "table")) {
    console.error(USAGE);
    return EXIT_INVALID_INPUT;
  }
  let evaluation: Evaluation;
  try {
    const resources = parseResources(readJson(values.resources, "resources file"), values.resources);
    evaluation = await runPolicies(resources, { stack: values.stack, configFile: values.config });
  } catch (error) {
    if (error instanceof PolicyInputError) {
      console.error(error.message);
      return EXIT_INVALID_INPUT;
    }
    throw error;
  }
  const output = values.format === "json" ? formatJsonLines(evaluation.violations) : formatTable(evaluation.violations, buildfarmPolicies);
  if (output !== "") console.log(output);
  return countMandatory(evaluation.violations) > 0 ? EXIT_MANDATORY_VIOLATION : EXIT_OK;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(3);
    },
  );
}
