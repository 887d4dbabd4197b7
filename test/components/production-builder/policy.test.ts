import { beforeAll, describe, expect, it } from "vitest";
import { evaluatePolicies, type PlanResource } from "../../../policies/offline";
import { buildfarmPolicies } from "../../../policies/rules";
import { runStack, type StackRun } from "../../../lib/plan/run-stack";
import { readStackFile } from "../../../lib/plan/stack-file";

const PROD_HOST = "prod-builder-prod-builder-1";
let run: StackRun;

beforeAll(async () => {
  run = await runStack({ stack: "prod", ...readStackFile("prod") });
});

function prodHost(): PlanResource & { props: Record<string, any> } {
  const found = run.resources.find((r) => r.type === "buildfarm:index:BuildkitHost" && r.name === PROD_HOST);
  if (!found) throw new Error(`no BuildkitHost ${PROD_HOST} in the prod plan`);
  return structuredClone(found) as PlanResource & { props: Record<string, any> };
}

async function violationsOf(resources: readonly PlanResource[]): Promise<Array<[string, string]>> {
  const result = await evaluatePolicies(resources, { policies: buildfarmPolicies, packEnforcementLevel: "mandatory", configs: [] });
  // Resource policies only: a subset of the plan is not a whole stack for the stack-level rules.
  return result.violations.filter((v) => v.resource !== "(stack)").map((v) => [v.policy, v.resource]);
}

describe("the policy pack on the production builder", () => {
  it("passes the shipped production builder", async () => {
    const resources = run.resources.filter((r) => r.name.startsWith("prod-builder"));
    expect(resources.some((r) => r.type === "buildfarm:index:ProductionBuilder")).toBe(true);
    expect(await violationsOf(resources)).toEqual([]);
  });

  it("fails a production builder host that allows an insecure entitlement", async () => {
    const host = prodHost();
    host.props.settings.buildkitd.insecureEntitlements = ["network.host"];
    host.props.buildkitdToml = `insecure-entitlements = [ "network.host" ]\n${host.props.buildkitdToml as string}`;
    expect(await violationsOf([host])).toContainEqual(["buildfarm-buildkit-no-insecure-entitlements", PROD_HOST]);
  });

  it("fails a production builder host without the process sandbox", async () => {
    const host = prodHost();
    host.props.settings.buildkitd.worker.noProcessSandbox = true;
    expect((await violationsOf([host])).map(([policy]) => policy)).toContain("buildfarm-buildkit-process-sandbox");
  });
});
