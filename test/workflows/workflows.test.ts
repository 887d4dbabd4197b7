import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOW_DIR = path.join(ROOT, ".github/workflows");
const scripts = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }
interface Job { steps: Step[]; permissions?: Record<string, string>; environment?: string | { name: string }; strategy?: { matrix?: { stack?: string[] } }; needs?: string | string[] }
interface Workflow { on: Record<string, unknown>; jobs: Record<string, Job> }

function loadWorkflows(): Array<{ file: string; workflow: Workflow }> {
  return readdirSync(WORKFLOW_DIR)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => {
      const document = parseDocument(readFileSync(path.join(WORKFLOW_DIR, file), "utf8"), { uniqueKeys: true, prettyErrors: true });
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join("; ")}`);
      return { file, workflow: document.toJS() as Workflow };
    });
}

const workflows = loadWorkflows();
const allSteps = workflows.flatMap(({ file, workflow }) =>
  Object.entries(workflow.jobs).flatMap(([jobName, job]) => job.steps.map((step) => ({ file, jobName, job, step }))),
);

/** The npm scripts a shell line invokes: `npm run X`, `npm test`, `npm run-script X`. */
function npmScriptsIn(run: string): string[] {
  const names: string[] = [];
  for (const match of run.matchAll(/\bnpm\s+(?:run|run-script)\s+([a-zA-Z0-9:_-]+)/g)) names.push(match[1]!);
  for (const match of run.matchAll(/\bnpm\s+(test|start)\b/g)) names.push(match[1]!);
  return names;
}

describe("GitHub workflows", () => {
  it("exist for pull requests and main, and parse as YAML without duplicate keys", () => {
    expect(workflows.map((w) => w.file)).toEqual(["main.yml", "pull-request.yml"]);
    for (const { workflow } of workflows) expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
  });

  it("finds npm script names in shell lines", () => {
    expect(npmScriptsIn("npm run plan -- --stack dev && npm test")).toEqual(["plan", "test"]);
    expect(npmScriptsIn("npm ci --prefix policies")).toEqual([]);
  });

  it("only runs npm scripts that package.json defines", () => {
    const used = allSteps.flatMap(({ file, jobName, step }) => (step.run ? npmScriptsIn(step.run).map((name) => ({ where: `${file}:${jobName}`, name })) : []));
    expect(used.length).toBeGreaterThan(5);
    const missing = used.filter(({ name }) => scripts[name] === undefined);
    expect(missing).toEqual([]);
  });

  it("references files that exist: the scripts behind npm run, stack files, the policy pack", () => {
    for (const { step, job } of allSteps) {
      for (const name of step.run ? npmScriptsIn(step.run) : []) {
        const script = scripts[name]!;
        for (const file of script.match(/[\w./-]+\.(ts|js|mjs)\b/g) ?? []) expect(existsSync(path.join(ROOT, file)), `${name}: ${file}`).toBe(true);
      }
      for (const match of (step.run ?? "").matchAll(/--prefix\s+(\S+)/g)) expect(existsSync(path.join(ROOT, match[1]!, "package.json")), `${match[1]}/package.json`).toBe(true);
      const packs = step.with?.policyPacks;
      if (typeof packs === "string") expect(existsSync(path.join(ROOT, packs, "PulumiPolicy.yaml")), `${packs}/PulumiPolicy.yaml`).toBe(true);
      const configs = step.with?.policyPackConfigs;
      if (typeof configs === "string") {
        // `${{ matrix.stack }}` expands to each stack of the job's matrix.
        const stacks = job.strategy?.matrix?.stack ?? [""];
        for (const stack of stacks) {
          const file = configs.replace("${{ matrix.stack }}", stack);
          expect(file, "policy config names a stack").not.toContain("${{");
          expect(existsSync(path.join(ROOT, file)), file).toBe(true);
        }
      }
      for (const match of (step.run ?? "").matchAll(/--stack\s+(\w+)/g)) expect(existsSync(path.join(ROOT, `Pulumi.${match[1]}.yaml`))).toBe(true);
    }
    for (const { job } of allSteps) for (const stack of job.strategy?.matrix?.stack ?? []) expect(existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`))).toBe(true);
  });

  it("runs the offline policy only on plans the same job wrote", () => {
    for (const { file, workflow } of workflows) {
      for (const [jobName, job] of Object.entries(workflow.jobs)) {
        const planned = new Set<string>();
        for (const step of job.steps) {
          const run = step.run ?? "";
          for (const match of run.matchAll(/npm run plan -- --stack (\w+)/g)) planned.add(match[1]!);
          for (const match of run.matchAll(/npm run policy -- --resources out\/plan\/(\w+)\/resources\.json --stack (\w+)/g)) {
            expect(planned.has(match[1]!), `${file}:${jobName} policy before plan of ${match[1]}`).toBe(true);
            expect(match[2]).toBe(match[1]);
          }
        }
      }
    }
  });

  it("pins every action to a version", () => {
    const uses = allSteps.flatMap(({ step }) => (step.uses ? [step.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^[\w.-]+\/[\w.-]+@(v\d+(\.\d+){0,2}|[a-f0-9]{40})$/);
  });

  it("PR: plans and checks both stacks, uploads the plans, previews each stack with the policy pack and comments", () => {
    const pr = workflows.find((w) => w.file === "pull-request.yml")!.workflow;
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    const runs = Object.values(pr.jobs).flatMap((job) => job.steps.map((step) => step.run ?? "")).join("\n");
    for (const needed of ["npm ci", "npm run lint", "npm run typecheck", "npm test", "npm run plan -- --stack dev", "npm run plan -- --stack prod",
      "npm run policy -- --resources out/plan/dev/resources.json --stack dev", "npm run policy -- --resources out/plan/prod/resources.json --stack prod"]) {
      expect(runs).toContain(needed);
    }
    const upload = Object.values(pr.jobs).flatMap((job) => job.steps).find((step) => step.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.with?.path).toBe("out/plan/");
    const preview = Object.values(pr.jobs).find((job) => job.steps.some((step) => step.uses?.startsWith("pulumi/actions@") && step.with?.command === "preview"))!;
    expect(preview.permissions?.["pull-requests"]).toBe("write");
    expect(preview.strategy?.matrix?.stack).toEqual(["dev", "prod"]);
    const action = preview.steps.find((step) => step.uses?.startsWith("pulumi/actions@"))!;
    expect(action.with).toMatchObject({ command: "preview", "comment-on-pr": true, policyPacks: "policies", policyPackConfigs: "policies/config/${{ matrix.stack }}.json", "stack-name": "${{ matrix.stack }}" });
  });

  it("main: pulumi up per stack, prod behind the approval environment", () => {
    const main = workflows.find((w) => w.file === "main.yml")!.workflow;
    expect(main.on).toHaveProperty("push");
    const ups = Object.entries(main.jobs).filter(([, job]) => job.steps.some((step) => step.uses?.startsWith("pulumi/actions@") && step.with?.command === "up"));
    const stacks = ups.map(([, job]) => job.steps.find((step) => step.uses?.startsWith("pulumi/actions@"))!.with!["stack-name"]);
    expect(stacks.sort()).toEqual(["dev", "prod"]);
    const prod = ups.find(([, job]) => job.steps.some((step) => step.with?.["stack-name"] === "prod"))![1];
    const environment = typeof prod.environment === "string" ? prod.environment : prod.environment?.name;
    expect(environment).toBe("production");
    expect(prod.needs).toBeDefined();
    for (const [, job] of ups) {
      const action = job.steps.find((step) => step.uses?.startsWith("pulumi/actions@"))!;
      expect(action.with!.policyPacks).toBe("policies");
      expect(action.with!.policyPackConfigs).toBe(`policies/config/${String(action.with!["stack-name"])}.json`);
    }
  });

  it("keeps workflow files small enough to read", () => {
    for (const { file } of workflows) expect(statSync(path.join(WORKFLOW_DIR, file)).size).toBeLessThan(8000);
  });
});
