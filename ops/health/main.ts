import { parseArgs } from "node:util";
import { monitoringSchema } from "../../components/monitoring";
import { parseSize } from "../../lib/units";
import { numberOption, outputsSource } from "../cli-common";
import { readStackOutputs } from "../outputs-reader";
import { EXIT, UsageError } from "../usage-error";
import { builderChecks } from "./builder-checks";
import { cacheChecks, cacheClient } from "./cache-checks";
import { alertmanagerCheck, grafanaCheck, prometheusChecks } from "./monitoring-checks";
import { renderHealthJson, renderHealthTable } from "./render-health";
import { runChecks } from "./run-checks";
import { writeClientTlsFiles } from "./tls-files";
import { utilisationChecks } from "./utilisation-checks";

const USAGE = `usage: npm run health -- (--outputs FILE | --stack NAME) [--json] [--buildctl PATH] [--timeout SECONDS]
  [--concurrency N] [--cache-size-limit SIZE] [--disk-free-min RATIO] [--queue-max N]
thresholds default to buildfarm:monitoring.thresholds' defaults; GRAFANA_TOKEN authorises Grafana's API.`;

const OPTIONS = {
  outputs: { type: "string" },
  stack: { type: "string" },
  pulumi: { type: "string" },
  json: { type: "boolean", default: false },
  buildctl: { type: "string", default: "buildctl" },
  timeout: { type: "string" },
  concurrency: { type: "string" },
  "cache-size-limit": { type: "string" },
  "disk-free-min": { type: "string" },
  "queue-max": { type: "string" },
  "cert-min-days": { type: "string" },
  help: { type: "boolean", default: false },
} as const;

async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return EXIT.ok;
  }
  const source = outputsSource(values);
  const timeoutMs = numberOption("timeout", values.timeout, 20, 1, 600) * 1000;
  const concurrency = numberOption("concurrency", values.concurrency, 8, 1, 64);
  const defaults = monitoringSchema.shape.thresholds.parse({});
  const sizeLimitText = values["cache-size-limit"];
  const sizeLimitBytes = sizeLimitText === undefined ? undefined : parseSize(sizeLimitText);
  if (sizeLimitText !== undefined && sizeLimitBytes === undefined) throw new UsageError(`--cache-size-limit must be a size like "500GB" (got "${sizeLimitText}")`);
  const outputs = await readStackOutputs(source);

  const tls = await writeClientTlsFiles(outputs);
  try {
    const checks = [
      ...builderChecks(outputs, tls.files, {
        buildctl: values.buildctl,
        certificateMinDays: numberOption("cert-min-days", values["cert-min-days"], defaults.certificateExpiryDays, 0, 3650),
        timeoutMs,
        now: new Date(),
      }),
      ...prometheusChecks(outputs),
      alertmanagerCheck(outputs),
      grafanaCheck(outputs, process.env),
      ...cacheChecks(outputs, cacheClient(outputs), { sizeLimitBytes, maxListPages: 100 }),
      ...utilisationChecks(outputs, {
        diskFreeRatioMin: numberOption("disk-free-min", values["disk-free-min"], 0.1, 0, 1),
        cacheDiskRatioMax: defaults.cacheDiskRatioMax,
        memoryUsedRatioMax: defaults.memoryUsedRatioMax,
        cpuWaitingRatioMax: defaults.cpuWaitingRatioMax,
        queueLengthMax: numberOption("queue-max", values["queue-max"], 0, 0, 100000),
      }),
    ];
    const tty = process.stderr.isTTY === true;
    const results = await runChecks(checks, {
      concurrency,
      timeoutMs,
      onDone: tty ? (done, total, r) => process.stderr.write(`\r\x1b[K[${done}/${total}] ${r.component}: ${r.check}`) : undefined,
    });
    if (tty) process.stderr.write("\r\x1b[K");
    process.stdout.write(values.json ? renderHealthJson(results) : renderHealthTable(results));
    return results.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
  } finally {
    await tls.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`health: ${(error as Error).message}\n`);
    process.exit(error instanceof UsageError ? EXIT.usage : EXIT.failed);
  },
);
