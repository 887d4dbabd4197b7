import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { GATE_EXIT_CODES } from "../../../components/production-builder/gate-body";
import { renderProdBuildScript, trivySeverities } from "../../../components/production-builder/render-gate";
import { BASE_SETTINGS, DIGEST, gateWorkspace, shellcheck, type GateRun } from "./gate-harness";

const IMAGE = "ghcr.io/acme/app:1.4.0";
const REVISION = "0123456789abcdef0123456789abcdef01234567";
const ARGS = ["--context", "CONTEXT", "--image", IMAGE, "--revision", REVISION, "--build-arg", "VERSION=1.4.0"];
const TLS_FLAGS = (dir: string) => ["--addr", "tcp://prod-builder-1.release.internal:1234", "--tlscacert", `${dir}/tls/ca.pem`, "--tlscert", `${dir}/tls/client.pem`, "--tlskey", `${dir}/tls/client-key.pem`];
const REF = `${IMAGE}@${DIGEST}`;
const S3 = "type=s3,region=eu-west-1,bucket=acme-buildkit-cache-prod,retry_mode=standard,retry_max_attempts=5";

function args(context: string, extra: string[] = []): string[] {
  return [...ARGS.map((a) => (a === "CONTEXT" ? context : a)), ...extra];
}

function record(run: GateRun, runId: string): Record<string, any> {
  const text = run.uploads[`${runId}.json`];
  expect(text, `no build record uploaded; stderr:\n${run.stderr}`).toBeDefined();
  return JSON.parse(text as string) as Record<string, any>;
}

function tools(run: GateRun): string[] {
  return run.calls.map((c) => (c[0] === "buildctl" ? `buildctl ${c.includes("build") ? "build" : "info"}` : c[0] === "cosign" ? `cosign ${c[1]}` : (c[0] as string)));
}

describe("prod-build.sh (rendered release gate)", () => {
  it("passes shellcheck for trivy/keyless and grype/key", () => {
    const ws = gateWorkspace();
    expect(shellcheck(ws.script)).toEqual({ status: 0, output: "" });
    const other = path.join(ws.dir, "grype-key.sh");
    writeFileSync(other, renderProdBuildScript({ ...BASE_SETTINGS, scanner: "grype", signing: "key", cosignKey: "awskms:///alias/release", cosignPublicKey: "/etc/cosign/release.pub", cache: undefined }));
    expect(shellcheck(other)).toEqual({ status: 0, output: "" });
  });

  it("is deterministic", () => {
    expect(renderProdBuildScript(BASE_SETTINGS)).toBe(renderProdBuildScript({ ...BASE_SETTINGS }));
  });

  it("maps the severity threshold to Trivy's list", () => {
    expect(trivySeverities("high")).toBe("HIGH,CRITICAL");
    expect(trivySeverities("low")).toBe("LOW,MEDIUM,HIGH,CRITICAL");
    expect(trivySeverities("critical")).toBe("CRITICAL");
  });

  it("builds with attestations, scans, signs, verifies and records a success with the exact tool arguments", () => {
    const ws = gateWorkspace({ cache: { ...BASE_SETTINGS.cache!, touchRefresh: "12h", uploadParallelism: 4 } });
    const report = path.join(ws.dir, "report.json");
    writeFileSync(report, '{"Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-1","Severity": "MEDIUM"},{"VulnerabilityID":"CVE-2","Severity":"LOW"}]}]}\n');
    const run = ws.run(args(ws.context), { FAKE_SCAN_REPORT: report });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${REF}\n`);
    const tls = TLS_FLAGS(ws.dir);
    expect(run.calls).toEqual([
      ["buildctl", ...tls, "debug", "info", "--format", "{{json .}}"],
      [
        "buildctl", ...tls, "build", "--frontend", "dockerfile.v0",
        "--local", `context=${ws.context}`, "--local", `dockerfile=${ws.context}`, "--opt", "filename=Dockerfile",
        "--opt", "build-arg:VERSION=1.4.0",
        "--opt", "attest:provenance=mode=max", "--opt", "attest:sbom=generator=docker/buildkit-syft-scanner:stable-1",
        "--source-policy-file", `${ws.dir}/source-policy.json`,
        "--import-cache", `${S3},prefix=buildkit-cache/prod-release/,name=ghcr.io_acme_app`,
        "--import-cache", `${S3},prefix=buildkit-cache/prod/,name=ghcr.io_acme_app`,
        "--export-cache", `${S3},prefix=buildkit-cache/prod-release/,name=ghcr.io_acme_app,mode=max,touch_refresh=12h,upload_parallelism=4,ignore-error=true`,
        "--output", `type=image,name=${IMAGE},push=true`, "--metadata-file", "<WORK>/metadata.json",
      ],
      ["trivy", "image", "--exit-code", "1", "--severity", "HIGH,CRITICAL", "--format", "json", "--output", "<WORK>/scan.json", REF],
      ["aws", "s3", "cp", "--only-show-errors", "<WORK>/scan.json", "s3://acme-build-audit-prod/builds/ghcr.io_acme_app/run-1.scan.json"],
      ["cosign", "sign", "--yes", REF],
      ["cosign", "verify", "--certificate-identity", BASE_SETTINGS.certificateIdentity, "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com", REF],
      ["aws", "s3", "cp", "--only-show-errors", "<WORK>/record.json", "s3://acme-build-audit-prod/builds/ghcr.io_acme_app/run-1.json"],
    ]);
    const rec = record(run, "run-1");
    expect(rec).toMatchObject({
      schemaVersion: 1,
      runId: "run-1",
      outcome: "success",
      failedStep: "",
      inputs: {
        context: ws.context,
        dockerfile: `${ws.context}/Dockerfile`,
        image: IMAGE,
        frontend: "docker/dockerfile:1.26.0",
        buildArgs: ["VERSION=1.4.0"],
        baseImages: ["golang:1.25", `ghcr.io/acme/base@sha256:${"a".repeat(64)}`],
      },
      gitRevision: REVISION,
      builder: { address: "tcp://prod-builder-1.release.internal:1234", version: "v0.32.2", expectedVersion: "v0.32.2", gateVersion: "1" },
      digest: DIGEST,
      attestations: {
        provenance: { ref: REF, predicateType: "https://slsa.dev/provenance/v1", mode: "max" },
        sbom: { ref: REF, predicateType: "https://spdx.dev/Document" },
      },
      scan: { scanner: "trivy", threshold: "high", exitCode: 0, passed: true, counts: { critical: 0, high: 0, medium: 1, low: 1 }, report: "s3://acme-build-audit-prod/builds/ghcr.io_acme_app/run-1.scan.json" },
      signature: { mode: "keyless", identity: BASE_SETTINGS.certificateIdentity, issuer: "https://token.actions.githubusercontent.com", verified: true },
    });
    expect(Object.keys(rec.timings.stepSeconds)).toEqual(["arguments", "validate", "builder", "build", "digest", "scan", "sign", "verify"]);
    expect(rec.timings.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(run.uploads["run-1.scan.json"]).toContain("CVE-1");
  });

  it("uses grype and a signing key when configured", () => {
    const ws = gateWorkspace({ scanner: "grype", failOnSeverity: "critical", signing: "key", cosignKey: "awskms:///alias/release", cosignPublicKey: "/etc/cosign/release.pub", certificateIdentity: undefined, cache: undefined });
    const run = ws.run(args(ws.context));
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls.filter((c) => c[0] !== "buildctl" && c[0] !== "aws")).toEqual([
      ["grype", REF, "--fail-on", "critical", "--output", "json", "--file", "<WORK>/scan.json"],
      ["cosign", "sign", "--yes", "--key", "awskms:///alias/release", REF],
      ["cosign", "verify", "--key", "/etc/cosign/release.pub", REF],
    ]);
    const build = run.calls[1] ?? [];
    expect(build.filter((a) => a.startsWith("type=s3"))).toEqual([]);
    expect(record(run, "run-1").signature).toEqual({ mode: "key", key: "/etc/cosign/release.pub", verified: true });
  });

  describe("stops at the first failed step and records the failure", () => {
    const cases: Array<{ name: string; env: Record<string, string>; step: keyof typeof GATE_EXIT_CODES; tools: string[]; message: RegExp }> = [
      { name: "builder unreachable", env: { FAKE_EXIT_BUILDCTL_INFO: "1" }, step: "builder", tools: ["buildctl info", "aws"], message: /cannot reach the production builder/ },
      { name: "builder version skew", env: { FAKE_BUILDKIT_VERSION: "v0.31.0" }, step: "builder", tools: ["buildctl info", "aws"], message: /builder runs BuildKit v0\.31\.0, expected v0\.32\.2/ },
      { name: "build failure", env: { FAKE_EXIT_BUILDCTL_BUILD: "1" }, step: "digest", tools: ["buildctl info", "buildctl build", "aws"], message: /./ },
      { name: "signing failure", env: { FAKE_EXIT_COSIGN_SIGN: "1" }, step: "sign", tools: ["buildctl info", "buildctl build", "trivy", "cosign sign", "aws"], message: /cosign could not sign/ },
      { name: "verification failure", env: { FAKE_EXIT_COSIGN_VERIFY: "1" }, step: "verify", tools: ["buildctl info", "buildctl build", "trivy", "cosign sign", "cosign verify", "aws"], message: /does not verify for identity/ },
      { name: "signature over another digest", env: { FAKE_VERIFIED_DIGEST: `sha256:${"c".repeat(64)}` }, step: "verify", tools: ["buildctl info", "buildctl build", "trivy", "cosign sign", "cosign verify", "aws"], message: /does not cover sha256:b/ },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const ws = gateWorkspace();
        const run = ws.run(args(ws.context), c.env);
        const expectedStep = c.name === "build failure" ? "build" : c.step;
        expect(run.status).toBe(GATE_EXIT_CODES[expectedStep]);
        expect(tools(run)).toEqual(c.tools);
        expect(run.stdout).toBe("");
        expect(run.stderr).toMatch(new RegExp(`prod-build: ${expectedStep} failed: `));
        expect(run.stderr).toMatch(c.message);
        const rec = record(run, "run-1");
        expect(rec.outcome).toBe("failure");
        expect(rec.failedStep).toBe(expectedStep);
        expect(rec.gitRevision).toBe(REVISION);
        expect(rec.inputs.image).toBe(IMAGE);
      });
    }
  });

  it("fails when the scan finds vulnerabilities at or above the threshold (trivy exit 1)", () => {
    const ws = gateWorkspace();
    const report = path.join(ws.dir, "report.json");
    writeFileSync(report, '[{"Severity":"HIGH"},{"Severity":"CRITICAL"},{"Severity":"HIGH"}]\n');
    const run = ws.run(args(ws.context), { FAKE_EXIT_TRIVY: "1", FAKE_SCAN_REPORT: report });
    expect(run.status).toBe(GATE_EXIT_CODES.scan);
    expect(tools(run)).toEqual(["buildctl info", "buildctl build", "trivy", "aws", "aws"]);
    expect(run.stderr).toContain(`prod-build: scan failed: trivy found vulnerabilities at or above high in ${REF}`);
    const rec = record(run, "run-1");
    expect(rec).toMatchObject({ outcome: "failure", failedStep: "scan", digest: DIGEST, signature: null });
    expect(rec.scan).toMatchObject({ scanner: "trivy", exitCode: 1, passed: false, counts: { critical: 1, high: 2, medium: 0, low: 0 } });
  });

  it("tells a grype threshold hit (exit 2) from a grype error (exit 1)", () => {
    const ws = gateWorkspace({ scanner: "grype" });
    const hit = ws.run(args(ws.context), { FAKE_EXIT_GRYPE: "2" });
    expect(hit.status).toBe(GATE_EXIT_CODES.scan);
    expect(hit.stderr).toContain("grype found vulnerabilities at or above high");
    expect(tools(hit)).not.toContain("cosign sign");
    const error = ws.run(args(ws.context), { FAKE_EXIT_GRYPE: "1" });
    expect(error.status).toBe(GATE_EXIT_CODES.scan);
    expect(error.stderr).toContain(`grype could not scan ${REF} (exit 1)`);
    expect(record(error, "run-2").scan).toMatchObject({ passed: false, exitCode: 1 });
  });

  describe("rejects bad inputs before anything is built", () => {
    const cases: Array<{ name: string; dockerfile?: string; extra?: string[]; settings?: Record<string, unknown>; message: string }> = [
      { name: "a secret-looking build arg", extra: ["--build-arg", "NPM_TOKEN=abc"], message: "build arg NPM_TOKEN looks like a secret" },
      { name: "a lower-case password build arg", extra: ["--build-arg", "db_password=abc"], message: "build arg db_password looks like a secret" },
      { name: "an API key build arg", extra: ["--build-arg", "API_KEY=abc"], message: "build arg API_KEY looks like a secret" },
      { name: "an unpinned frontend", dockerfile: "# syntax=docker/dockerfile:1\nFROM alpine:3.20\n", message: "frontend docker/dockerfile:1 is not allowed (allowed: docker/dockerfile:1.26.0)" },
      { name: "a foreign frontend", dockerfile: "# syntax=example.com/evil/frontend:1.0.0\nFROM alpine:3.20\n", message: "frontend example.com/evil/frontend:1.0.0 is not allowed" },
      { name: "a base image from another registry", dockerfile: "FROM quay.io/evil/base:1\n", message: "base image quay.io/evil/base:1 is not from an allowed registry" },
      { name: "a Docker Hub image outside library/", dockerfile: "FROM someone/base:1\n", message: "base image someone/base:1 is not from an allowed registry" },
      { name: "a glob as base image (never expanded)", dockerfile: "FROM *\n", message: "base image * is not a valid image reference" },
      { name: "a base image named by a variable", dockerfile: "ARG BASE=alpine\nFROM ${BASE}\n", message: "base image ${BASE} uses a variable" },
      { name: "a tag when digests are required", dockerfile: "FROM ghcr.io/acme/base:1\n", settings: { requireDigest: true }, message: "base image ghcr.io/acme/base:1 is not pinned by digest" },
      { name: "an image without a tag", extra: ["--image", "ghcr.io/acme/app"], message: "--image must carry a tag" },
      { name: "a revision that is not a commit", extra: ["--revision", "main"], message: "--revision must be a git commit id" },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const ws = gateWorkspace(c.settings ?? {}, c.dockerfile);
        const run = ws.run(args(ws.context, c.extra ?? []));
        expect(run.status, run.stderr).toBe(GATE_EXIT_CODES.validate);
        expect(run.stderr).toContain(`prod-build: validate failed: ${c.message}`);
        expect(tools(run)).toEqual(["aws"]);
        expect(record(run, "run-1")).toMatchObject({ outcome: "failure", failedStep: "validate", digest: "", attestations: null });
      });
    }

    it("accepts a tag a CONVERT rule pins when digests are required", () => {
      const ws = gateWorkspace({ requireDigest: true, pinnedImages: ["alpine:3.20"] }, "FROM alpine:3.20\n");
      expect(ws.run(args(ws.context)).status).toBe(0);
    });

    it("records an invocation without required arguments", () => {
      const ws = gateWorkspace();
      const run = ws.run(["--context", ws.context, "--image", IMAGE]);
      expect(run.status).toBe(GATE_EXIT_CODES.arguments);
      expect(run.stderr).toContain("prod-build: arguments failed: --revision is required");
      expect(record(run, "run-1")).toMatchObject({ outcome: "failure", failedStep: "arguments" });
    });
  });

  it("writes valid JSON for inputs with quotes, backslashes and control characters", () => {
    const ws = gateWorkspace();
    const run = ws.run(args(ws.context, ["--build-arg", 'LABEL=say "hi"\\now\tand', "--build-arg", "PLAIN=ok"]));
    expect(run.status, run.stderr).toBe(0);
    expect(record(run, "run-1").inputs.buildArgs).toEqual(["VERSION=1.4.0", 'LABEL=say "hi"\\nowand', "PLAIN=ok"]);
  });

  it("fails when the build record cannot be written, even after a good build", () => {
    const ws = gateWorkspace();
    const run = ws.run(args(ws.context), { FAKE_EXIT_AWS: "1" });
    expect(run.status).toBe(GATE_EXIT_CODES.record);
    expect(run.stderr).toContain("prod-build: audit: could not write the build record to s3://acme-build-audit-prod/builds/ghcr.io_acme_app/run-1.json");
    expect(run.stdout).toBe("");
  });
});
