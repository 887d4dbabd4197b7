import { buildSync } from "esbuild";
import { EXPORTER_BUNDLE_OPTIONS } from "../components/monitoring/exporter/bundle-options";

let cached: string | undefined;

/**
 * The build-insights exporter as one minified CommonJS file (~80 kB), for BuildkitHost's exporter unit on
 * every host. Bundled in memory with the same options as scripts/build-exporter.ts, minified.
 */
export function exporterProgram(): string {
  cached ??= buildSync({ ...EXPORTER_BUNDLE_OPTIONS, minify: true, write: false }).outputFiles[0]!.text;
  return cached;
}
