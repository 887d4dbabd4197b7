/**
 * Bundles the build-insights exporter into one file for hosts and containers:
 * `npx tsx scripts/build-exporter.ts [outfile]` → bin/exporter/exporter.js (run with `node exporter.js`).
 */
import { build } from "esbuild";
import { resolve } from "node:path";

export const EXPORTER_ENTRY = resolve(__dirname, "../components/monitoring/exporter/main.ts");
export const EXPORTER_BUNDLE = resolve(__dirname, "../bin/exporter/exporter.js");

export async function buildExporter(outfile = EXPORTER_BUNDLE): Promise<string> {
  await build({
    entryPoints: [EXPORTER_ENTRY],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: false,
    legalComments: "none",
    logLevel: "warning",
    banner: { js: "#!/usr/bin/env node" },
  });
  return outfile;
}

if (require.main === module) {
  buildExporter(process.argv[2] ? resolve(process.argv[2]) : undefined)
    .then((file) => process.stdout.write(`${file}\n`))
    .catch((error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    });
}
