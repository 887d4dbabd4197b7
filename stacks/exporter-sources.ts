import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

/** Files whose content goes into the exporter bundle; their hash tags the dev exporter image. */
export function exporterSourceInputs(): string[] {
  const exporterDir = path.join(ROOT, "components/monitoring/exporter");
  const files = [
    ...readdirSync(exporterDir).filter((f) => f.endsWith(".ts")).sort().map((f) => path.join(exporterDir, f)),
    path.join(ROOT, "lib/units.ts"),
    path.join(ROOT, "lib/metric-names.ts"),
    path.join(ROOT, "scripts/build-exporter.ts"),
  ];
  return files.map((file) => `${path.relative(ROOT, file)}\n${readFileSync(file, "utf8")}`);
}
