import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import { reconcilePolicyConfig } from "../../policies/offline";
import { buildfarmPolicies, PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "../../policies/rules";

const PACK_DIR = path.join(__dirname, "..", "..", "policies");

/** Captures `new PolicyPack(...)` instead of starting the analyzer's gRPC server. */
const constructed = vi.hoisted(() => [] as Array<{ name: string; args: { policies: unknown[]; enforcementLevel?: string } }>);
vi.mock("@pulumi/policy", () => ({
  PolicyPack: class {
    constructor(name: string, args: { policies: unknown[]; enforcementLevel?: string }) {
      constructed.push({ name, args });
    }
  },
}));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (entry === "node_modules") return [];
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith(".ts") ? [full] : [];
  });
}

describe("policies/ (the CrossGuard pack)", () => {
  it("index.ts constructs exactly one PolicyPack with the list the offline runner evaluates", async () => {
    await import("../../policies/index");
    expect(constructed).toHaveLength(1);
    const [pack] = constructed;
    expect(pack?.name).toBe(PACK_NAME);
    expect(pack?.args.enforcementLevel).toBe(PACK_ENFORCEMENT_LEVEL);
    expect(pack?.args.policies).toHaveLength(buildfarmPolicies.length);
    pack?.args.policies.forEach((policy, i) => expect(policy).toBe(buildfarmPolicies[i]));
  });

  it("constructs PolicyPack nowhere else", () => {
    const constructing = sourceFiles(PACK_DIR).filter((f) => /new\s+PolicyPack\s*\(/.test(readFileSync(f, "utf8")));
    expect(constructing.map((f) => path.relative(PACK_DIR, f))).toEqual(["index.ts"]);
  });

  it("is a nodejs pack pinned to @pulumi/policy 1.21.0 and @pulumi/pulumi 3.248.0", () => {
    expect(parseYaml(readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8"))).toMatchObject({ runtime: "nodejs" });
    const pkg = JSON.parse(readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies).toEqual({ "@pulumi/policy": "1.21.0", "@pulumi/pulumi": "3.248.0" });
  });

  it("names every policy buildfarm-<resource>-<rule>, uniquely, with a description and remediation", () => {
    const names = buildfarmPolicies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const policy of buildfarmPolicies) {
      expect(policy.name).toMatch(/^buildfarm-[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(policy.description.length).toBeGreaterThan(20);
      expect(policy.remediationSteps.length).toBeGreaterThan(20);
      // The analyzer exits when a schema declares enforcementLevel (server.js serve()).
      expect(Object.keys(policy.configSchema?.properties ?? {})).not.toContain("enforcementLevel");
    }
  });

  it("documents every policy in docs/policies.md", () => {
    const docs = readFileSync(path.join(PACK_DIR, "..", "docs", "policies.md"), "utf8");
    expect(buildfarmPolicies.map((p) => p.name).filter((name) => !docs.includes(`| \`${name}\` |`))).toEqual([]);
  });

  it("ships per-stack configs: everything mandatory in prod, advisory in dev", () => {
    const read = (stack: string) => JSON.parse(readFileSync(path.join(PACK_DIR, "config", `${stack}.json`), "utf8")) as Record<string, unknown>;
    const prod = reconcilePolicyConfig(buildfarmPolicies, PACK_ENFORCEMENT_LEVEL, read("prod"));
    const dev = reconcilePolicyConfig(buildfarmPolicies, PACK_ENFORCEMENT_LEVEL, read("dev"));
    expect(new Set([...prod.values()].map((c) => c.enforcementLevel))).toEqual(new Set(["mandatory"]));
    expect(new Set([...dev.values()].map((c) => c.enforcementLevel))).toEqual(new Set(["advisory"]));
    expect(PACK_ENFORCEMENT_LEVEL).toBe("mandatory");
  });
});
