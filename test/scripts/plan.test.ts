import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const tsx = path.join(repo, "node_modules/.bin/tsx");

function plan(args: string[], cwd = repo) {
  return spawnSync(tsx, [path.join(repo, "scripts/plan.ts"), ...args], { cwd, encoding: "utf8", timeout: 60_000 });
}

describe("npm run plan", () => {
  it("writes resources.json, outputs.json and a summary for the dev stack", () => {
    const out = mkdtempSync(path.join(tmpdir(), "plan-"));
    const result = plan(["--stack", "dev", "--out", out]);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const resources = JSON.parse(readFileSync(path.join(out, "dev", "resources.json"), "utf8")) as Array<{ type: string }>;
    expect(resources.length).toBeGreaterThan(0);
    expect(existsSync(path.join(out, "dev", "outputs.json"))).toBe(true);
    expect(result.stdout).toMatch(/^component\s+type\s+count$/m);
    expect(result.stdout).toMatch(/total: \d+ resources, \d+ artifacts/);
  });

  it("exits 2 on a broken config, names the key, and writes nothing", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-broken-"));
    copyFileSync(path.join(repo, "Pulumi.prod.yaml"), path.join(dir, "Pulumi.prod.yaml"));
    const text = readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8").replace("memoryMax: 56GiB", "memoryMax: lots");
    writeFileSync(path.join(dir, "Pulumi.prod.yaml"), text);
    const result = plan(["--stack", "prod", "--out", path.join(dir, "out")], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('buildfarm:hosts[0].resources.memoryMax: expected a size like "8GiB", got "lots"');
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("exits 2 when the stack file does not exist", () => {
    const result = plan(["--stack", "nosuch", "--out", mkdtempSync(path.join(tmpdir(), "plan-"))]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Pulumi.nosuch.yaml");
  });
});
