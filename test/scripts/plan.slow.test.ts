import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");

// The CLI as an operator runs it (tsx startup, exit codes through process.exit); plan.test.ts covers the rules in-process.
describe("npm run plan, the command", () => {
  it("plans the dev stack and exits 0, and exits 2 naming the missing stack file", () => {
    const out = mkdtempSync(path.join(tmpdir(), "plan-cli-"));
    const tsx = path.join(repo, "node_modules/.bin/tsx");
    const ok = spawnSync(tsx, [path.join(repo, "scripts/plan.ts"), "--stack", "dev", "--out", out], { cwd: repo, encoding: "utf8", timeout: 120_000 });
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, "dev", "resources.json"), "utf8"))).not.toHaveLength(0);
    const missing = spawnSync(tsx, [path.join(repo, "scripts/plan.ts"), "--stack", "nosuch", "--out", out], { cwd: repo, encoding: "utf8", timeout: 120_000 });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("Pulumi.nosuch.yaml");
    rmSync(out, { recursive: true, force: true });
  });
});
