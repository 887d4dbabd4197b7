import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { renderProdBuildScript, type GateScriptSettings } from "../../../components/production-builder/render-gate";

export const DIGEST = `sha256:${"b".repeat(64)}`;
export const TOOLS = ["buildctl", "trivy", "grype", "cosign", "aws"] as const;
const FAKE_TOOL = path.join(__dirname, "fixtures", "fake-tool.sh");

export const BASE_SETTINGS: GateScriptSettings = {
  buildkitVersion: "v0.32.2",
  defaultBuildkitAddress: "tcp://prod-builder-1.release.internal:1234",
  allowedRegistries: ["docker.io/library", "ghcr.io/acme"],
  requireDigest: false,
  pinnedImages: [],
  allowedFrontends: ["docker/dockerfile:1.26.0"],
  sbomGenerator: "docker/buildkit-syft-scanner:stable-1",
  scanner: "trivy",
  failOnSeverity: "high",
  signing: "keyless",
  certificateIdentity: "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main",
  certificateOidcIssuer: "https://token.actions.githubusercontent.com",
  auditUrl: "s3://acme-build-audit-prod/builds",
  uploader: "aws s3 cp --only-show-errors",
  cache: { region: "eu-west-1", bucket: "acme-buildkit-cache-prod", productionPrefix: "buildkit-cache/prod-release/", sharedPrefix: "buildkit-cache/prod/" },
};

export interface GateRun {
  readonly status: number | null;
  readonly stderr: string;
  readonly stdout: string;
  /** One argv per tool call, in order; the gate's temp directory reads as <WORK>. */
  readonly calls: string[][];
  /** Uploaded files by object name (the last path segment of the s3 URL). */
  readonly uploads: Record<string, string>;
  readonly dir: string;
}

export interface GateWorkspace {
  readonly dir: string;
  readonly context: string;
  readonly script: string;
  run(args: readonly string[], env?: Readonly<Record<string, string>>): GateRun;
}

/** A throw-away directory with the rendered gate, fake tools on PATH, TLS files, a policy and a build context. */
export function gateWorkspace(settings: Partial<GateScriptSettings> = {}, dockerfile = DEFAULT_DOCKERFILE): GateWorkspace {
  const dir = mkdtempSync(path.join(tmpdir(), "prod-gate-test-"));
  const bin = path.join(dir, "bin");
  const context = path.join(dir, "app");
  const tls = path.join(dir, "tls");
  for (const d of [bin, context, tls, path.join(dir, "tmp")]) mkdirSync(d, { recursive: true });
  for (const tool of TOOLS) symlinkSync(FAKE_TOOL, path.join(bin, tool));
  for (const file of ["ca.pem", "client.pem", "client-key.pem"]) writeFileSync(path.join(tls, file), "test\n");
  writeFileSync(path.join(dir, "source-policy.json"), '{"rules":[{"action":"DENY","selector":{"identifier":"docker-image://*"}}]}\n');
  writeFileSync(path.join(context, "Dockerfile"), dockerfile);
  const script = path.join(dir, "prod-build.sh");
  writeFileSync(script, renderProdBuildScript({ ...BASE_SETTINGS, ...settings }));
  chmodSync(script, 0o755);
  let runs = 0;
  return {
    dir,
    context,
    script,
    run(args, env = {}) {
      runs += 1;
      const log = path.join(dir, `calls-${runs}.log`);
      const uploadsDir = path.join(dir, `uploads-${runs}`);
      const result = spawnSync("sh", [script, ...args], {
        encoding: "utf8",
        timeout: 20_000,
        env: {
          PATH: `${bin}:/usr/bin:/bin`,
          TMPDIR: path.join(dir, "tmp"),
          FAKE_LOG: log,
          FAKE_UPLOADS: uploadsDir,
          FAKE_DIGEST: DIGEST,
          PROD_BUILD_TLS_DIR: tls,
          PROD_BUILD_SOURCE_POLICY: path.join(dir, "source-policy.json"),
          PROD_BUILD_RUN_ID: `run-${runs}`,
          ...env,
        },
      });
      const work = new RegExp(`${escapeRegExp(path.join(dir, "tmp"))}/prod-build\\.[A-Za-z0-9]+`, "g");
      const calls = existsSync(log)
        ? readFileSync(log, "utf8").trimEnd().split("\n").filter((l) => l !== "").map((line) => line.replace(work, "<WORK>").split("\t"))
        : [];
      const uploads: Record<string, string> = {};
      if (existsSync(uploadsDir)) for (const f of readdirSync(uploadsDir)) uploads[f] = readFileSync(path.join(uploadsDir, f), "utf8");
      return { status: result.status, stderr: result.stderr, stdout: result.stdout, calls, uploads, dir };
    },
  };
}

export const DEFAULT_DOCKERFILE = [
  "# syntax=docker/dockerfile:1.26.0",
  "FROM golang:1.25 AS build",
  "RUN go build ./...",
  `FROM --platform=$BUILDPLATFORM ghcr.io/acme/base@sha256:${"a".repeat(64)} AS final`,
  "COPY --from=build /out /app",
  "FROM final",
  "",
].join("\n");

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Runs shellcheck on a file; returns its exit status and output. */
export function shellcheck(file: string): { status: number | null; output: string } {
  const result = spawnSync("shellcheck", ["-s", "sh", "-S", "style", file], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
