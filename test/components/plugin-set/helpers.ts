import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pluginSetSchema, type PluginSetInput } from "../../../components/plugin-set/args";
import { renderScriptArtifacts } from "../../../components/plugin-set/render-scripts";

export interface Metadata {
  SchemaVersion?: string;
  Vendor?: string;
  Version?: string;
  ShortDescription?: string;
}

/** A fake plugin: answers the metadata call with `metadata`, and `<name> version` with its version. */
export function writePlugin(path: string, name: string, metadata: Metadata | string, opts: { executable?: boolean; failMetadata?: boolean } = {}): void {
  const json = typeof metadata === "string" ? metadata : JSON.stringify(metadata);
  const version = typeof metadata === "string" ? "" : (metadata.Version ?? "");
  const body = [
    "#!/bin/sh",
    'if [ "$1" = docker-cli-plugin-metadata ]; then',
    opts.failMetadata ? "  echo 'broken' >&2; exit 1" : `  printf '%s\\n' '${json.replace(/'/g, `'\\''`)}'; exit 0`,
    "fi",
    `if [ "$1" = ${name} ] && [ "$2" = version ]; then echo "${name} ${version}"; exit 0; fi`,
    "exit 1",
    "",
  ].join("\n");
  writeFileSync(path, body);
  chmodSync(path, opts.executable === false ? 0o644 : 0o755);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `plugin-set-${prefix}-`));
}

/** Renders every script into `<dir>/scripts` and returns that folder. */
export function writeScripts(dir: string, input: PluginSetInput = {}): string {
  const scriptDir = join(dir, "scripts");
  mkdirSync(scriptDir, { recursive: true });
  for (const artifact of renderScriptArtifacts(pluginSetSchema.parse(input))) {
    writeFileSync(join(scriptDir, artifact.path.replace(/^plugins\//, "")), artifact.content as string, { mode: 0o755 });
  }
  return scriptDir;
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: string[], env: Record<string, string>): RunResult {
  const result = spawnSync(command, args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, encoding: "utf8", timeout: 30_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface AuditRow {
  name: string;
  path: string;
  status: "valid" | "invalid" | "shadowed";
  reason: string;
  version: string;
  vendor: string;
  shortDescription: string;
  kind: string;
}
