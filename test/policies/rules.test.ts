import { describe, expect, it } from "vitest";
import { evaluatePolicies } from "../../policies/offline";
import { buildfarmPolicies } from "../../policies/rules";
import { buildkitCases } from "./cases/buildkit";
import { dockerGrafanaStackCases } from "./cases/docker-grafana-stack";
import { kubernetesCases } from "./cases/kubernetes";
import { limitCases } from "./cases/limits";
import { iamCases, s3Cases } from "./cases/s3";
import type { PolicyCase } from "./cases/types";

const ALL_CASES: PolicyCase[] = [...limitCases, ...buildkitCases, ...kubernetesCases, ...s3Cases, ...iamCases, ...dockerGrafanaStackCases];

async function violationsOf(c: PolicyCase): Promise<Array<[string, string]>> {
  const policy = buildfarmPolicies.find((p) => p.name === c.policy);
  if (!policy) throw new Error(`no policy ${c.policy}`);
  const { violations } = await evaluatePolicies(c.resources, { policies: [policy], packEnforcementLevel: "mandatory", configs: [c.config] });
  for (const v of violations) expect(v.level).toBe("mandatory");
  return violations.map((v) => [v.resource, v.message]);
}

for (const policy of buildfarmPolicies) {
  describe(policy.name, () => {
    const cases = ALL_CASES.filter((c) => c.policy === policy.name);
    it("has at least one compliant and one violating fixture", () => {
      expect(cases.filter((c) => c.expect.length === 0).length).toBeGreaterThan(0);
      expect(cases.filter((c) => c.expect.length > 0).length).toBeGreaterThan(0);
    });
    for (const c of cases) {
      it(c.name, async () => {
        expect(await violationsOf(c)).toEqual(c.expect.map(([r, m]) => [r, m]));
      });
    }
  });
}

describe("policy cases", () => {
  it("only name policies that exist", () => {
    const names = new Set(buildfarmPolicies.map((p) => p.name));
    expect(ALL_CASES.map((c) => c.policy).filter((n) => !names.has(n))).toEqual([]);
  });
});
