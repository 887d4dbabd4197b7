import { describe, expect, it } from "vitest";
import { outputsSource } from "../../ops/cli-common";
import { parseStackOutputs, readStackOutputs } from "../../ops/outputs-reader";
import { UsageError } from "../../ops/usage-error";

describe("reading stack outputs", () => {
  it("names the version it reads when the stack's outputsVersion differs", () => {
    expect(() => parseStackOutputs(JSON.stringify({ outputsVersion: 2 }), "out.json")).toThrow("out.json: outputsVersion is 2, this tool reads version 1");
  });

  it("asks for --show-secrets when secrets were written as [secret]", () => {
    expect(() => parseStackOutputs(JSON.stringify({ outputsVersion: 1, builderClientKeys: "[secret]" }), "out.json")).toThrow(/builderClientKeys are "\[secret\]".*--show-secrets/);
  });

  it("lists every contract violation by path", () => {
    expect(() => parseStackOutputs(JSON.stringify({ outputsVersion: 1, environment: "qa" }), "o")).toThrow(/environment: .*\n\s+builders: /);
  });

  it("refuses text that is not JSON as a usage error", () => {
    expect(() => parseStackOutputs("{", "o")).toThrow(UsageError);
  });

  it("runs pulumi stack output with secrets for --stack and reports its failure as a usage error", async () => {
    const calls: string[][] = [];
    await expect(
      readStackOutputs({ kind: "stack", stack: "prod", pulumiBinary: "pulumi" }, async (binary, args) => {
        calls.push([binary, ...args]);
        throw new Error("no stack named 'prod' found");
      }),
    ).rejects.toThrow("`pulumi stack output --stack prod` failed: no stack named 'prod' found");
    expect(calls).toEqual([["pulumi", "stack", "output", "--json", "--show-secrets", "--stack", "prod"]]);
  });

  it("needs exactly one of --outputs and --stack", () => {
    expect(() => outputsSource({})).toThrow(/missing --outputs FILE/);
    expect(() => outputsSource({ outputs: "a", stack: "b" })).toThrow("pass either --outputs FILE or --stack NAME, not both");
    expect(outputsSource({ stack: "prod" })).toEqual({ kind: "stack", stack: "prod", pulumiBinary: "pulumi" });
  });
});
