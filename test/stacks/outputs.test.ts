import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OUTPUT_NAMES, OUTPUTS_VERSION, SECRET_OUTPUT_NAMES, stackOutputsSchema } from "../../stacks/outputs";
import { SECRET_PLACEHOLDER } from "../harness/resolve";
import { runStack } from "../harness/run-stack";
import { readStackFile } from "../harness/stack-file";
import { stackOutputs } from "./stack-outputs";

describe("outputs contract", () => {
  for (const stack of ["dev", "prod"] as const) {
    it(`${stack}: every output matches the versioned schema`, async () => {
      const { values } = await stackOutputs(stack, readStackFile(stack).config, readStackFile(stack).secretKeys);
      const parsed = stackOutputsSchema.safeParse(values);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      expect(values.outputsVersion).toBe(OUTPUTS_VERSION);
      expect(values.environment).toBe(stack);
      expect(Object.keys(values).sort()).toEqual([...OUTPUT_NAMES].sort());
    });

    it(`${stack}: the secret outputs, and only those, are Pulumi secrets`, async () => {
      const file = readStackFile(stack);
      const { secretNames } = await stackOutputs(stack, file.config, file.secretKeys);
      expect(secretNames).toEqual([...SECRET_OUTPUT_NAMES].sort());
      const run = await runStack({ stack, ...file });
      const outputs = run.outputs as Record<string, unknown>;
      for (const name of SECRET_OUTPUT_NAMES) expect(outputs[name]).toBe(SECRET_PLACEHOLDER);
      expect(JSON.stringify(outputs)).not.toContain("PRIVATE KEY");
    });
  }

  it("gives every builder a client key, and prod the release gate's", async () => {
    for (const stack of ["dev", "prod"] as const) {
      const { values } = await stackOutputs(stack, readStackFile(stack).config, readStackFile(stack).secretKeys);
      const outputs = stackOutputsSchema.parse(values);
      const expected = outputs.builders.map((b) => b.name);
      if (stack === "prod") expected.push("prod-gate");
      expect(Object.keys(outputs.builderClientKeys).sort()).toEqual(expected.sort());
      expect(outputs.prodGate === null).toBe(stack === "dev");
    }
  });

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
