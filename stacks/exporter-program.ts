import { buildSync } from "esbuild";
import { EXPORTER_ENTRY } from "../scripts/build-exporter";

let cached: string | undefined;

/**
 * The build-insights exporter as one minified CommonJS file (~80 kB), for BuildkitHost's exporter unit on
 * every host. Bundled in memory with the options of scripts/build-exporter.ts; same sources, same bytes.
 */
export function exporterProgram(): string {
  cached ??= buildSync({
    entryPoints: [EXPORTER_ENTRY],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    write: false,
    banner: { js: "#!/usr/bin/env node" },
  }).outputFiles[0]!.text;
  return cached;
}
