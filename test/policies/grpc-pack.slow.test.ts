/**
 * Drives the real pack (`policies/index.ts`, started as the Pulumi CLI starts it) over the analyzer
 * gRPC protocol, as the engine does during `pulumi preview --policy-pack policies`, and checks it
 * gives exactly the offline runner's verdicts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluatePolicies, reconcilePolicyConfig, resourceUrns, type PlanResource, type PolicyPackConfigFile } from "../../policies/offline";
import { buildfarmPolicies, PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "../../policies/rules";
import { runStack } from "../../lib/plan/run-stack";
import { readStackFile } from "../../lib/plan/stack-file";
import { buildkitCases } from "./cases/buildkit";
import { dockerGrafanaStackCases } from "./cases/docker-grafana-stack";
import { kubernetesCases } from "./cases/kubernetes";
import { limitCases } from "./cases/limits";
import { iamCases, s3Cases } from "./cases/s3";

const ROOT = path.join(__dirname, "..", "..");
const LEVELS: Record<string, analyzer.EnforcementLevel> = {
  advisory: analyzer.EnforcementLevel.ADVISORY,
  mandatory: analyzer.EnforcementLevel.MANDATORY,
  disabled: analyzer.EnforcementLevel.DISABLED,
  remediate: analyzer.EnforcementLevel.REMEDIATE,
};
const LEVEL_NAMES = Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [v, k]));

let pack: ChildProcess;
let client: analyzerRpc.AnalyzerClient;

function call<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => method.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));
}

function options(parentUrn: string | undefined): analyzer.AnalyzerResourceOptions {
  const opts = new analyzer.AnalyzerResourceOptions();
  if (parentUrn) opts.setParent(parentUrn);
  return opts;
}

/** What the CLI does: reconcile the config file with the pack's defaults, then Configure. */
async function configure(config: PolicyPackConfigFile | undefined): Promise<void> {
  const request = new analyzer.ConfigureAnalyzerRequest();
  for (const [name, entry] of reconcilePolicyConfig(buildfarmPolicies, PACK_ENFORCEMENT_LEVEL, config)) {
    const policyConfig = new analyzer.PolicyConfig();
    policyConfig.setEnforcementlevel(LEVELS[entry.enforcementLevel] as analyzer.EnforcementLevel);
    policyConfig.setProperties(Struct.fromJavaScript(entry.properties as Record<string, never>));
    request.getPolicyconfigMap().set(name, policyConfig);
  }
  await call(client.configure, request);
}

type Verdict = [policy: string, resource: string, level: string, message: string];

/** Analyze for every resource, then AnalyzeStack: the engine's calls during a preview. */
async function realVerdicts(resources: readonly PlanResource[], stack: string): Promise<Verdict[]> {
  const urns = resourceUrns(resources, stack);
  const nameOf = new Map([...urns].map(([name, u]) => [u.urn, name]));
  const verdicts: Verdict[] = [];
  const collect = (diagnostics: analyzer.AnalyzeDiagnostic[], fallback: string) => {
    for (const d of diagnostics) {
      const policy = buildfarmPolicies.find((p) => p.name === d.getPolicyname());
      // The engine prefixes each message with the policy's description.
      const message = d.getMessage().startsWith(`${policy?.description}\n`) ? d.getMessage().slice((policy?.description.length ?? 0) + 1) : d.getMessage();
      verdicts.push([d.getPolicyname(), nameOf.get(d.getUrn()) ?? fallback, LEVEL_NAMES[d.getEnforcementlevel()] ?? "?", message]);
    }
  };
  for (const resource of resources) {
    const { urn, parentUrn } = urns.get(resource.name)!;
    const request = new analyzer.AnalyzeRequest();
    request.setType(resource.type).setName(resource.name).setUrn(urn).setOptions(options(parentUrn));
    request.setProperties(Struct.fromJavaScript(resource.props as Record<string, never>));
    collect((await call(client.analyze, request) as analyzer.AnalyzeResponse).getDiagnosticsList(), resource.name);
  }
  const stackRequest = new analyzer.AnalyzeStackRequest();
  stackRequest.setResourcesList(
    resources.map((resource) => {
      const { urn, parentUrn } = urns.get(resource.name)!;
      const r = new analyzer.AnalyzerResource().setType(resource.type).setName(resource.name).setUrn(urn).setOptions(options(parentUrn));
      if (parentUrn) r.setParent(parentUrn);
      return r.setProperties(Struct.fromJavaScript(resource.props as Record<string, never>));
    }),
  );
  collect((await call(client.analyzeStack, stackRequest) as analyzer.AnalyzeResponse).getDiagnosticsList(), "(stack)");
  return verdicts;
}

async function offlineVerdicts(resources: readonly PlanResource[], stack: string, config: PolicyPackConfigFile | undefined): Promise<Verdict[]> {
  const { violations } = await evaluatePolicies(resources, { policies: buildfarmPolicies, packEnforcementLevel: PACK_ENFORCEMENT_LEVEL, configs: [config], stack });
  return violations.map((v) => [v.policy, v.resource, v.level, v.message]);
}

const sorted = (verdicts: Verdict[]) => verdicts.map((v) => JSON.stringify(v)).sort();

beforeAll(async () => {
  pack = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["index.ts"], { cwd: path.join(ROOT, "policies"), stdio: ["ignore", "pipe", "pipe"] });
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    pack.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^(\d+)\s*$/m.exec(out);
      if (match) resolve(match[1] as string);
    });
    pack.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
    pack.on("exit", (code) => reject(new Error(`the pack exited (${code}): ${err}`)));
  });
  client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 60_000);

afterAll(() => {
  client?.close();
  pack?.kill();
});

describe("the real policy pack over the analyzer protocol", () => {
  it("serves every policy of the list, mandatory by default, with its remediation", async () => {
    const { Empty } = await import("google-protobuf/google/protobuf/empty_pb");
    const info = await call<InstanceType<typeof Empty>, analyzer.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    expect(info.getName()).toBe(PACK_NAME);
    const policies = info.getPoliciesList();
    expect(policies.map((p) => p.getName())).toEqual(buildfarmPolicies.map((p) => p.name));
    for (const policy of policies) {
      expect(policy.getEnforcementlevel()).toBe(analyzer.EnforcementLevel.MANDATORY);
      expect(policy.getRemediationSteps()).toBe(buildfarmPolicies.find((p) => p.name === policy.getName())?.remediationSteps);
    }
  });

  it("gives the offline runner's verdicts on every policy fixture", async () => {
    let compared = 0;
    for (const c of [...limitCases, ...buildkitCases, ...kubernetesCases, ...s3Cases, ...iamCases, ...dockerGrafanaStackCases]) {
      await configure(c.config);
      const real = await realVerdicts(c.resources, "fixtures");
      expect(sorted(real), c.name).toEqual(sorted(await offlineVerdicts(c.resources, "fixtures", c.config)));
      compared += real.length;
    }
    expect(compared).toBeGreaterThan(60);
  }, 60_000);

  it("gives the offline runner's verdicts on our prod stack with prod's config, and on a broken copy", async () => {
    const run = await runStack({ stack: "prod", ...readStackFile("prod") });
    const config = { all: "mandatory", "buildfarm-stack-prod-complete": { environment: "prod" } } as const;
    await configure(config);
    expect(sorted(await realVerdicts(run.resources, "prod"))).toEqual(sorted(await offlineVerdicts(run.resources, "prod", config)));
    const broken = run.resources.map((r) => (r.type === "buildfarm:index:BuildkitHost" ? { ...r, props: { ...(r.props as object), version: "v0.31.0" } } : r));
    const real = await realVerdicts(broken, "prod");
    expect(real.filter((v) => v[0] === "buildfarm-buildkit-version-pinned").length).toBe(broken.filter((r) => r.type === "buildfarm:index:BuildkitHost").length);
    expect(sorted(real)).toEqual(sorted(await offlineVerdicts(broken, "prod", config)));
  }, 60_000);
});
