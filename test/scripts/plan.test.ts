import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EXIT_INVALID_CONFIG, EXIT_OK, main } from "../../scripts/plan";

const repo = path.resolve(__dirname, "../..");

/** Runs plan's entry point in-process (the CLI itself runs in plan.slow.test.ts) and captures what it prints. */
async function plan(args: string[], cwd = repo): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => void stdout.push(parts.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...parts: unknown[]) => void stderr.push(parts.join(" ")));
  const status = await main(args, cwd);
  return { status, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

describe("npm run plan", () => {
  beforeEach(() => vi.restoreAllMocks());
  afterEach(() => vi.restoreAllMocks());

  it("writes resources.json, outputs.json and a summary for the dev stack", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "plan-"));
    const result = await plan(["--stack", "dev", "--out", out]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(EXIT_OK);
    const resources = JSON.parse(readFileSync(path.join(out, "dev", "resources.json"), "utf8")) as Array<{ type: string }>;
    expect(resources.length).toBeGreaterThan(0);
    expect(existsSync(path.join(out, "dev", "outputs.json"))).toBe(true);
    expect(result.stdout).toMatch(/^component\s+type\s+count$/m);
    expect(result.stdout).toMatch(/total: \d+ resources, \d+ artifacts/);
  });

  it("exits 2 on a broken config, names the key, and writes nothing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-broken-"));
    copyFileSync(path.join(repo, "Pulumi.prod.yaml"), path.join(dir, "Pulumi.prod.yaml"));
    const text = readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8").replace("memoryMax: 56GiB", "memoryMax: lots");
    writeFileSync(path.join(dir, "Pulumi.prod.yaml"), text);
    const result = await plan(["--stack", "prod", "--out", path.join(dir, "out")], dir);
    expect(result.status).toBe(EXIT_INVALID_CONFIG);
    expect(result.stderr).toContain('buildfarm:hosts[0].resources.memoryMax: expected a size like "8GiB", got "lots"');
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("exits 2 when the stack file does not exist", async () => {
    const result = await plan(["--stack", "nosuch", "--out", mkdtempSync(path.join(tmpdir(), "plan-"))]);
    expect(result.status).toBe(EXIT_INVALID_CONFIG);
    expect(result.stderr).toContain("Pulumi.nosuch.yaml");
  });

  it("exits 2 with its usage when no stack is named", async () => {
    const result = await plan([]);
    expect(result.status).toBe(EXIT_INVALID_CONFIG);
    expect(result.stderr).toContain("usage: npm run plan -- --stack");
  });
});
