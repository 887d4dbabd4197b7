import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { EXIT_POLICY_VIOLATION, main } from "../../scripts/plan";

const repo = path.resolve(__dirname, "../..");

describe("npm run plan runs the policy pack", () => {
  it("exits 1 and names the violation when a prod pool host allows security.insecure", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-policy-"));
    const original = readFileSync(path.join(repo, "Pulumi.prod.yaml"), "utf8");
    const changed = original.replace("worker: { maxParallelism: 8, platforms: [linux/amd64] }", "worker: { maxParallelism: 8, platforms: [linux/amd64] }\n        insecureEntitlements: [security.insecure]");
    expect(changed).not.toBe(original);
    writeFileSync(path.join(dir, "Pulumi.prod.yaml"), changed);
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => void printed.push(parts.join(" ")));
    const status = await main(["--stack", "prod", "--out", path.join(dir, "out")], dir).finally(() => log.mockRestore());
    expect(status).toBe(EXIT_POLICY_VIOLATION);
    expect(printed.join("\n")).toMatch(/^mandatory\s+buildfarm-buildkit-no-insecure-entitlements\s+\S+\s+insecure entitlements allowed in prod: security\.insecure$/m);
    const written = JSON.parse(readFileSync(path.join(dir, "out", "prod", "policy-violations.json"), "utf8")) as Array<{ policy: string; level: string }>;
    expect(written).toContainEqual(expect.objectContaining({ policy: "buildfarm-buildkit-no-insecure-entitlements", level: "mandatory" }));
  }, 120_000);
});
