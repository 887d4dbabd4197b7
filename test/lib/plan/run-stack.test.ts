import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../config/errors";
import { runStack } from "../../../lib/plan/run-stack";
import { readStackFile, stackConfigFromObject } from "../../../lib/plan/stack-file";

describe("runStack", () => {
  it("gives byte-identical JSON on two runs of the same stack", async () => {
    for (const stack of ["dev", "prod"]) {
      const file = readStackFile(stack);
      const first = await runStack({ stack, ...file });
      const second = await runStack({ stack, ...file });
      expect(first.resources.length).toBeGreaterThan(0);
      expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    }
  });

  it("returns resources sorted by type then name, with parents", async () => {
    const run = await runStack({ stack: "dev", ...readStackFile("dev") });
    const keys = run.resources.map((r) => `${r.type} ${r.name}`);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
    for (const resource of run.resources) expect(resource).toHaveProperty("parent");
  });

  it("registers nothing when the config is invalid", async () => {
    const { config } = stackConfigFromObject({ "buildfarm:environment": "staging" });
    await expect(runStack({ stack: "dev", config })).rejects.toBeInstanceOf(ConfigError);
  });

  it("never writes a secret config value into resources or outputs", async () => {
    const file = readStackFile("prod");
    const run = await runStack({ stack: "prod", ...file });
    expect(file.secretKeys).toContain("buildfarm:sshPrivateKey");
    expect(JSON.stringify(run)).not.toContain("plan-placeholder-secret");
  });
});
