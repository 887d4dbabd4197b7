/**
 * Measures `plan --stack prod` against the number of builder hosts:
 * `npx tsx scripts/bench-plan.ts [--hosts 10,25,50] [--runs 3] [--cli] [--no-source-maps] [--no-stack-traces]`.
 * Generates prod configs with N shared hosts (copies of the first host in Pulumi.prod.yaml), runs the
 * mock harness in-process N times each, and with --cli also times `npm run plan` end to end (tsx startup included).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { runStack } from "../lib/plan/run-stack";
import { stackConfigFromObject } from "../lib/plan/stack-file";

const ROOT = path.resolve(__dirname, "..");

/** The prod stack file's config with `count` shared builder hosts cloned from its first host. */
export function prodConfigWithHosts(count: number, stackFile = path.join(ROOT, "Pulumi.prod.yaml")): Record<string, unknown> {
  const document = parse(readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
  const hosts = document.config["buildfarm:hosts"] as Array<Record<string, unknown>>;
  const template = hosts[0];
  if (template === undefined) throw new Error(`${stackFile}: expected at least one buildfarm:hosts entry to clone`);
  const cloned = Array.from({ length: count }, (_, i) => {
    const name = `builder-${String(i + 1).padStart(3, "0")}`;
    const fqdn = `${name}.build.internal`;
    const copy = structuredClone(template) as { name: string; connection: { host: string }; buildkitd?: { tls?: { serverNames?: string[] } } };
    copy.name = name;
    copy.connection.host = fqdn;
    if (copy.buildkitd?.tls?.serverNames) copy.buildkitd.tls.serverNames = [fqdn];
    return copy;
  });
  return { ...document.config, "buildfarm:hosts": cloned };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Wall time, and CPU time of this process (user + system), which shared machines disturb less. */
async function timeHarness(count: number, runs: number): Promise<{ ms: number; cpuMs: number; resources: number; artifacts: number }> {
  const { config, secretKeys } = stackConfigFromObject(prodConfigWithHosts(count));
  const times: number[] = [];
  const cpu: number[] = [];
  let resources = 0;
  let artifacts = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const run = await runStack({ stack: "prod", config, secretKeys });
    const used = process.cpuUsage(cpuStart);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push((used.user + used.system) / 1000);
    resources = run.resources.length;
    artifacts = run.artifacts.length;
  }
  return { ms: median(times), cpuMs: median(cpu), resources, artifacts };
}

/** `npm run plan -- --stack bench --out DIR` in a directory holding only the generated stack file. */
function timeCli(count: number): number {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-plan-"));
  try {
    writeFileSync(path.join(dir, "Pulumi.bench.yaml"), stringify({ config: prodConfigWithHosts(count) }));
    mkdirSync(path.join(dir, "out"));
    const start = process.hrtime.bigint();
    execFileSync(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "scripts/plan.ts"), "--stack", "bench", "--out", path.join(dir, "out")], { cwd: dir, stdio: "pipe" });
    return Number(process.hrtime.bigint() - start) / 1e6;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { hosts: { type: "string", default: "10,25,50" }, runs: { type: "string", default: "3" }, cli: { type: "boolean", default: false }, "no-source-maps": { type: "boolean", default: false }, "no-stack-traces": { type: "boolean", default: false } },
  });
  // tsx turns source maps on; @pulumi/pulumi records a stack trace for every promise it makes, and mapping
  // each of those through source maps dominates the run. This shows the cost without them.
  if (values["no-source-maps"]) process.setSourceMapsEnabled(false);
  // The SDK captures `new Error().stack` for every promise (runtime/debuggable.js); this shows that share.
  if (values["no-stack-traces"]) Error.stackTraceLimit = 0;
  const counts = values.hosts.split(",").map(Number);
  const runs = Number(values.runs);
  // Warm-up: module loading (the provider SDKs load lazily) is paid once, not per host.
  const warmStart = process.hrtime.bigint();
  await timeHarness(1, 1);
  console.log(`warm-up (1 host, first run, includes module loading): ${(Number(process.hrtime.bigint() - warmStart) / 1e6).toFixed(0)} ms`);
  const rows: Array<{ hosts: number; ms: number; cpuMs: number; resources: number; artifacts: number }> = [];
  for (const count of counts) rows.push({ hosts: count, ...(await timeHarness(count, runs)) });
  console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores`);
  console.log("hosts  wall-ms  cpu-ms  cpu-ms/host  resources  artifacts");
  for (const row of rows) {
    const cells = [row.hosts, row.ms.toFixed(0), row.cpuMs.toFixed(0), (row.cpuMs / row.hosts).toFixed(1), row.resources, row.artifacts].map(String);
    console.log(cells.map((c, i) => c.padStart([5, 7, 6, 11, 9, 9][i] ?? 0)).join("  "));
  }
  if (values.cli) {
    for (const count of counts) console.log(`npm run plan (tsx, ${count} hosts, end to end): ${timeCli(count).toFixed(0)} ms`);
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
