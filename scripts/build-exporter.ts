/**
 * Bundles the build-insights exporter into one file for hosts and containers:
 * `npx tsx scripts/build-exporter.ts [outfile]` → bin/exporter/exporter.js (run with `node exporter.js`).
 */
import { build } from "esbuild";
import { resolve } from "node:path";
import { EXPORTER_BUNDLE_OPTIONS } from "../components/monitoring/exporter/bundle-options";

export const EXPORTER_BUNDLE = resolve(__dirname, "../bin/exporter/exporter.js");

export async function buildExporter(outfile = EXPORTER_BUNDLE): Promise<string> {
  await build({ ...EXPORTER_BUNDLE_OPTIONS, outfile, minify: false });
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
