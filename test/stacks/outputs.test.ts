import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { OUTPUT_NAMES, OUTPUTS_VERSION, PROD_GATE_KEY_NAME, SECRET_OUTPUT_NAMES, stackOutputsSchema } from "../../stacks/outputs";
import { SECRET_PLACEHOLDER } from "../../lib/plan/resolve";
import { runStack } from "../../lib/plan/run-stack";
import { readStackFile } from "../../lib/plan/stack-file";
import { stackOutputs } from "./stack-outputs";

type Resolved = Awaited<ReturnType<typeof stackOutputs>>;

describe("outputs contract", () => {
  const stacks = ["dev", "prod"] as const;
  const plain = new Map<string, Resolved>();
  const redacted = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    for (const stack of stacks) {
      const file = readStackFile(stack);
      plain.set(stack, await stackOutputs(stack, file.config, file.secretKeys));
      redacted.set(stack, (await runStack({ stack, ...file })).outputs as Record<string, unknown>);
    }
  });

  for (const stack of stacks) {
    it(`${stack}: every output matches the versioned schema`, () => {
      const { values } = plain.get(stack)!;
      const parsed = stackOutputsSchema.safeParse(values);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      expect(values.outputsVersion).toBe(OUTPUTS_VERSION);
      expect(values.environment).toBe(stack);
      expect(Object.keys(values).sort()).toEqual([...OUTPUT_NAMES].sort());
    });

    it(`${stack}: the secret outputs, and only those, are Pulumi secrets`, () => {
      expect(plain.get(stack)!.secretNames).toEqual([...SECRET_OUTPUT_NAMES].sort());
      const outputs = redacted.get(stack)!;
      for (const name of SECRET_OUTPUT_NAMES) expect(outputs[name]).toBe(SECRET_PLACEHOLDER);
      expect(JSON.stringify(outputs)).not.toContain("PRIVATE KEY");
    });

    it(`${stack}: gives every builder a client key${stack === "prod" ? ", and the release gate its own" : ""}`, () => {
      const outputs = stackOutputsSchema.parse(plain.get(stack)!.values);
      const expected = outputs.builders.map((b) => b.name);
      if (stack === "prod") expected.push(PROD_GATE_KEY_NAME);
      expect(Object.keys(outputs.builderClientKeys).sort()).toEqual(expected.sort());
      expect(outputs.prodGate === null).toBe(stack === "dev");
      for (const dashboard of outputs.grafanaDashboards) expect(dashboard.url).toBe(`${outputs.grafanaUrl.replace(/\/$/, "")}/d/${dashboard.uid}`);
      expect(outputs.grafanaDashboards.length).toBeGreaterThan(0);
    });
  }

  it("is exported by name from index.ts, one export per contract key", () => {
    const source = readFileSync("index.ts", "utf8");
    const exported = [...source.matchAll(/^export const (\w+) = outputs\.(\w+);$/gm)].map((m) => {
      expect(m[1]).toBe(m[2]);
      return m[1]!;
    });
    expect(exported.sort()).toEqual([...OUTPUT_NAMES].sort());
  });

  it("rejects outputs that break the contract", () => {
    expect(stackOutputsSchema.safeParse({}).success).toBe(false);
    const issues = stackOutputsSchema.safeParse({ outputsVersion: 2 }).error!.issues.map((i) => i.path.join("."));
    expect(issues).toContain("outputsVersion");
  });
});
