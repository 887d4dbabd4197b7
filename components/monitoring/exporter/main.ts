/**
 * Build-insights exporter: polls buildkitd through buildctl and serves what buildkitd's own /metrics lacks
 * (cache disk vs GC limits, per-build cache hit ratio, history, invalidations). Run: `node exporter.js --help`.
 */
import { buildctlRunner } from "./buildctl";
import { EXPORTER_USAGE, parseExporterFlags } from "./cli";
import { InsightsCollector } from "./collector";
import { createExporterServer } from "./server";

function logLine(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${EXPORTER_USAGE}\n`);
    return;
  }
  const flags = parseExporterFlags(argv);
  const collector = new InsightsCollector({
    run: buildctlRunner(flags.buildctl),
    historyLimit: flags.historyLimit,
    maxLogFetchesPerScan: flags.maxLogFetchesPerScan,
    certificates: flags.certificates,
    log: logLine,
    processMetrics: true,
    ...(flags.gcMaxUsedBytes !== undefined ? { gcMaxUsedBytes: flags.gcMaxUsedBytes } : {}),
  });
  const server = createExporterServer(collector);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(flags.listenPort, flags.listenHost, resolve);
  });
  const address = server.address();
  logLine({ event: "listening", address: typeof address === "object" && address ? `${address.address}:${address.port}` : String(address) });

  // Scans never overlap: the next one is scheduled when the previous one ends.
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  const loop = async (): Promise<void> => {
    await collector.scan();
    if (!stopping) timer = setTimeout(() => void loop(), flags.intervalSeconds * 1000);
  };
  void loop();
  const stop = (): void => {
    stopping = true;
    if (timer) clearTimeout(timer);
    server.close(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`exporter: ${error.message}\n`);
  process.exit(2);
});
