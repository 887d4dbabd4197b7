import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { dockerContainer, mutate } from "./fixtures";

const ROOT = path.join(__dirname, "..", "..");

// The command as CI runs it (tsx, process.exit); runner.test.ts covers its rules in-process.
describe("npm run policy, the command", () => {
  it("exits 1 on a mandatory violation and 2 on unreadable input", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "policy-cli-"));
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify([mutate(dockerContainer(), ["privileged"], true)]));
    const tsx = path.join(ROOT, "node_modules/.bin/tsx");
    const run = (args: string[]) => spawnSync(tsx, ["scripts/policy.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
    const violated = run(["--resources", bad, "--stack", "prod", "--format", "json"]);
    expect(violated.status, violated.stderr).toBe(1);
    expect(violated.stdout).toContain('"policy":"buildfarm-docker-no-privileged"');
    const missing = run(["--resources", path.join(dir, "nope.json")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read resources file .*nope\.json/);
    rmSync(dir, { recursive: true, force: true });
  });
});
