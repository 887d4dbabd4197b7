import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { distributedCacheSchema } from "../../../components/distributed-cache/args";
import { sanitiseBranch } from "../../../components/distributed-cache/naming";
import { renderBranchSanitiserShell, renderGithubActionsSnippet } from "../../../components/distributed-cache/render-ci-snippet";
import { renderMinioLifecycle, renderMinioSetupScript } from "../../../components/distributed-cache/render-minio";
import { resolveCache } from "../../../components/distributed-cache/resolve";

const work = mkdtempSync(path.join(tmpdir(), "dc-scripts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const minio = resolveCache(distributedCacheSchema.parse({ backend: "s3-compatible", bucket: "buildkit-cache", endpoint: "http://minio:9000", allowInsecureEndpoint: true, retentionDays: 14 }), "dev");
const aws = resolveCache(distributedCacheSchema.parse({ backend: "aws", bucket: "acme-cache", region: "eu-west-1", project: "web-app" }), "prod");

function shellcheck(name: string, text: string): void {
  const file = path.join(work, name);
  writeFileSync(file, text);
  const result = spawnSync("shellcheck", ["--shell=sh", "--severity=style", file], { encoding: "utf8" });
  expect(result.stdout + result.stderr, name).toBe("");
  expect(result.status).toBe(0);
}

describe("renderMinioSetupScript", () => {
  const script = renderMinioSetupScript(minio);

  it("passes shellcheck", () => shellcheck("setup-bucket.sh", script));

  it("runs against an mc stand-in: creates the bucket, keeps it private, imports the lifecycle", () => {
    const log = path.join(work, "mc.log");
    const stdinCopy = path.join(work, "mc.stdin");
    const fakeMc = path.join(work, "mc");
    // Records each call; answers `version info` like an un-versioned MinIO bucket.
    writeFileSync(fakeMc, `#!/bin/sh\necho "$*" >> "${log}"\ncase "$1 $2 $3" in\n  "version info "*) echo "$3 is un-versioned" ;;\n  "ilm rule import") cat > "${stdinCopy}" ;;\nesac\n`);
    chmodSync(fakeMc, 0o755);
    const file = path.join(work, "setup-run.sh");
    writeFileSync(file, script, { mode: 0o755 });
    const output = execFileSync("sh", [file], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", MC: fakeMc, MC_HOST_buildfarmcache: "http://k:s@127.0.0.1:9" }, encoding: "utf8" });
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      "mb --ignore-existing buildfarmcache/buildkit-cache",
      "anonymous set none buildfarmcache/buildkit-cache",
      "version info buildfarmcache/buildkit-cache",
      "ilm rule import buildfarmcache/buildkit-cache",
      "ilm rule ls buildfarmcache/buildkit-cache",
    ]);
    expect(JSON.parse(readFileSync(stdinCopy, "utf8"))).toEqual(renderMinioLifecycle(minio));
    expect(output).toContain("objects under buildkit-cache/dev/ expire after 14 days");
  });

  it("refuses to run without MC_HOST_buildfarmcache", () => {
    const file = path.join(work, "setup-nocreds.sh");
    writeFileSync(file, script);
    const result = spawnSync("sh", [file], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", MC: "/bin/false" }, encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("set MC_HOST_buildfarmcache=");
  });

  it("is deterministic", () => {
    expect(renderMinioSetupScript(minio)).toBe(script);
  });
});

describe("branch sanitiser shell", () => {
  const file = path.join(work, "sanitise.sh");
  writeFileSync(file, `${renderBranchSanitiserShell()}\nprintf '%s' "$CACHE_BRANCH"\n`);

  it("passes shellcheck", () => shellcheck("sanitise-check.sh", `#!/bin/sh\nset -eu\n${renderBranchSanitiserShell()}\necho "$CACHE_BRANCH"\n`));

  it.each(["main", "feature/Login-Page", "fix/#123 crash!!", "release/v1.2.3", "--weird..", "dependabot/npm_and_yarn/@types/node-20", "ünïcødé/branch", `${"a".repeat(99)}/${"b".repeat(50)}`, "x".repeat(300), "a;b,c=d e"])(
    "names %j exactly like sanitiseBranch",
    (branch) => {
      expect(execFileSync("sh", [file, branch], { encoding: "utf8", env: { PATH: process.env.PATH, LC_ALL: "C.UTF-8" } })).toBe(sanitiseBranch(branch));
    },
  );

  it("fails on a branch with no letter or digit", () => {
    const result = spawnSync("sh", [file, "///"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('branch name "///" has no letter or digit');
  });
});

describe("renderGithubActionsSnippet", () => {
  it("is YAML whose run scripts pass shellcheck and carry the cache flags", () => {
    for (const [index, readOnly] of [false, true].entries()) {
      const text = renderGithubActionsSnippet(aws, { readOnly });
      const doc = parse(text) as { steps: Array<{ name: string; run: string; shell: string }> };
      expect(doc.steps.length).toBe(readOnly ? 1 : 2);
      doc.steps.forEach((step, i) => shellcheck(`ci-${index}-${i}.sh`, `#!/bin/sh\n${step.run}`));
      const build = doc.steps.at(-1)!.run;
      expect(build).toContain('--cache-from "type=s3,bucket=acme-cache,region=eu-west-1,prefix=buildkit-cache/prod/,retry_mode=adaptive,retry_max_attempts=5,name=web-app/main"');
      if (readOnly) expect(build).not.toContain("--cache-to");
      else expect(build).toContain("name=web-app/${CACHE_BRANCH},mode=max,touch_refresh=24h,upload_parallelism=8,ignore-error=true");
    }
  });
});
