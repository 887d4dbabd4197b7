import type { BuildOptions } from "esbuild";
import { resolve } from "node:path";

export const EXPORTER_ENTRY = resolve(__dirname, "main.ts");

/** esbuild options for the exporter's one-file CommonJS bundle (scripts/build-exporter.ts and the prod stack share them). */
export const EXPORTER_BUNDLE_OPTIONS: BuildOptions = {
  entryPoints: [EXPORTER_ENTRY],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  legalComments: "none",
  logLevel: "warning",
  banner: { js: "#!/usr/bin/env node" },
};
