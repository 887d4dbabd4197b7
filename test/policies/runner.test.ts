import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { main, parseResources, PolicyInputError, runPolicies } from "../../scripts/policy";
import { cacheBucketSet, dockerContainer, mutate, prodComponents } from "./fixtures";


interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI's entry point in-process (the command itself runs in runner.slow.test.ts), capturing what it prints. */
async function policy(...args: string[]): Promise<Result> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => void stdout.push(`${parts.join(" ")}\n`));
  const error = vi.spyOn(console, "error").mockImplementation((...parts: unknown[]) => void stderr.push(`${parts.join(" ")}\n`));
  try {
    const code = await main(args);
    return { code, stdout: stdout.join(""), stderr: stderr.join("") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

let dir: string;
const file = (name: string, content: string): string => {
  const target = path.join(dir, name);
  writeFileSync(target, content);
  return target;
};

describe("npm run policy (scripts/policy.ts)", () => {
  const results = new Map<string, Result>();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "policy-runner-"));
    const clean = file("clean.json", JSON.stringify([...prodComponents(), dockerContainer(), ...cacheBucketSet()]));
    const bad = file("bad.json", JSON.stringify([...prodComponents(), mutate(dockerContainer(), ["privileged"], true), ...cacheBucketSet().filter((r) => r.name !== "cache-pab")]));
    const runs: Array<[string, string[]]> = [
      ["clean", ["--resources", clean, "--stack", "prod", "--format", "json"]],
      ["bad-prod-json", ["--resources", bad, "--stack", "prod", "--format", "json"]],
      ["bad-dev-json", ["--resources", bad, "--stack", "dev", "--format", "json"]],
      ["bad-table", ["--resources", bad, "--format", "table"]],
      ["missing", ["--resources", path.join(dir, "nope.json")]],
      ["not-json", ["--resources", file("broken.json", "[{")]],
    ];
    // One after the other: each run captures the process's console.
    for (const [name, args] of runs) results.set(name, await policy(...args));
  }, 120_000);

  const get = (name: string): Result => results.get(name) as Result;

  it("exits 0 and prints nothing in json format when nothing is violated", () => {
    expect(get("clean")).toMatchObject({ code: 0, stdout: "" });
  });

  it("exits 1 on a mandatory violation and prints one JSON object per violation", () => {
    const run = get("bad-prod-json");
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { policy: "buildfarm-docker-no-privileged", resource: "dev-minio-container", type: "docker:index/container:Container", level: "mandatory", message: "container dev-minio runs privileged and is not in allowPrivileged" },
      { policy: "buildfarm-s3-public-access-block", resource: "cache-bucket", type: "aws:s3/bucket:Bucket", level: "mandatory", message: "bucket acme-buildkit-cache has no BucketPublicAccessBlock" },
    ]);
  });

  it("reports the same violations as advisory for --stack dev, and exits 0", () => {
    const run = get("bad-dev-json");
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(["advisory", "advisory"]);
  });

  it("prints a table by default, mandatory without --stack", () => {
    const run = get("bad-table");
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^level\s+policy\s+resource\s+message$/m);
    expect(run.stdout).toMatch(/^mandatory\s+buildfarm-docker-no-privileged\s+dev-minio-container\s+container dev-minio runs privileged/m);
    expect(run.stdout).toContain("2 violation(s): 2 mandatory, 0 advisory");
    expect(run.stdout).toMatch(/^how to fix:\n {2}buildfarm-docker-no-privileged: Remove `privileged: true`/m);
  });

  it.each([
    ["missing", /cannot read resources file .*nope\.json/],
    ["not-json", /is not valid JSON/],
  ])("exits 2 on unreadable input: %s", (name, message) => {
    const run = get(name);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe("runPolicies (in process)", () => {
  it("honours an extra --config file over the stack's", async () => {
    dir ??= mkdtempSync(path.join(tmpdir(), "policy-runner-"));
    const resources = [...prodComponents(), mutate(dockerContainer(), ["privileged"], true), ...cacheBucketSet().filter((r) => r.name !== "cache-pab")];
    const configFile = file("allow.json", JSON.stringify({ "buildfarm-docker-no-privileged": { allowPrivileged: ["dev-minio"] }, "buildfarm-s3-public-access-block": "advisory" }));
    const { violations } = await runPolicies(resources, { stack: "prod", configFile });
    expect(violations.map((v) => [v.policy, v.level])).toEqual([["buildfarm-s3-public-access-block", "advisory"]]);
  });

  it("rejects an unknown stack and a config naming an unknown policy", async () => {
    await expect(runPolicies([], { stack: "staging" })).rejects.toThrow('--stack: expected one of dev, prod, got "staging"');
    const typo = file("typo.json", JSON.stringify({ "buildfarm-docker-no-privilegd": "advisory" }));
    await expect(runPolicies([], { configFile: typo })).rejects.toThrow(PolicyInputError);
  });
});

describe("parseResources", () => {
  it("names the entry and field that is wrong", () => {
    expect(() => parseResources([{ name: "x", props: {} }], "f.json")).toThrow("f.json[0].type: expected a Pulumi type token, got undefined");
    expect(() => parseResources([{ type: "t", name: "x", props: [] }], "f.json")).toThrow("f.json[0].props: expected an object, got []");
    expect(() => parseResources([{ type: "t", name: "" }], "f.json")).toThrow('f.json[0].name: expected a resource name, got ""');
    expect(() => parseResources({})).toThrow("resources: expected a JSON array of {type, name, props}, got object");
    expect(parseResources([{ type: "t", name: "x", parent: "p" }])).toEqual([{ type: "t", name: "x", parent: "p", props: {} }]);
  });
});
