import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderConfigReference, updateReadme } from "../../scripts/config-docs";

describe("config reference", () => {
  it("in README.md matches the zod schema (run `npm run config-docs` after a schema change)", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(updateReadme(readme)).toBe(readme);
  });

  it("lists nested keys, defaults and union variants", () => {
    const reference = renderConfigReference();
    expect(reference).toContain("| `buildfarm:hosts[].resources.memoryMax` | string |  | `\"8GiB\"` |");
    expect(reference).toContain("`buildfarm:cache.region`");
    expect(reference).toMatch(/`buildfarm:cache\.endpoint` .*when backend = "s3-compatible"/);
    expect(reference).toMatch(/`buildfarm:sshPrivateKey` .*\*\*secret\*\*/);
  });
});
