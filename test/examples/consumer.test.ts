import * as pulumi from "@pulumi/pulumi";
import * as publicSettings from "@pulumi/pulumi/runtime/settings";
import { beforeAll, describe, expect, it } from "vitest";
import { SECRET_OUTPUT_NAMES, stackOutputsSchema, type StackOutputValues } from "../../stacks/outputs";
import { readStackFile } from "../../lib/plan/stack-file";
import { stackOutputs } from "../stacks/stack-outputs";

const settings = publicSettings as typeof publicSettings & { _reset(): void };

/** Resolves an Output (its internal promise also carries rejections). */
function settle<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/** Mocks a StackReference the way the engine answers it: an `outputs` state plus the secret names. */
async function mockFarm(outputs: Record<string, unknown>): Promise<string[]> {
  const referenced: string[] = [];
  settings._reset();
  await pulumi.runtime.setMocks({
    newResource(args) {
      if (args.type !== "pulumi:pulumi:StackReference") throw new Error(`unexpected resource ${args.type}`);
      referenced.push(args.inputs.name as string);
      return { id: args.inputs.name as string, state: { name: args.inputs.name, outputs, secretOutputNames: [...SECRET_OUTPUT_NAMES] } };
    },
    call: (args) => args.inputs,
  }, "buildfarm-consumer", "ci", false);
  return referenced;
}

describe("examples/consumer (StackReference under mocks)", () => {
  let farm: StackOutputValues;

  beforeAll(async () => {
    // The real dev stack's outputs are what the consumer reads: the contract is tested end to end.
    const { values } = await stackOutputs("dev", readStackFile("dev").config);
    farm = stackOutputsSchema.parse(values);
  });

  it("reads the builder, cache flags and client key of the farm's dev stack", async () => {
    const referenced = await mockFarm(farm);
    const { useBuildFarm } = await import("../../examples/consumer/consumer");
    const client = useBuildFarm("organization/buildfarm/dev", { role: "shared" });
    const builder = farm.builders[0]!;
    expect(await settle(client.builderEndpoint)).toBe(builder.endpoint);
    expect(await settle(client.buildxCreateCommand)).toBe(builder.buildxCreateCommand);
    expect(await settle(client.cacheFlags)).toBe(`--cache-from ${farm.cache.cacheFrom} --cache-to ${farm.cache.cacheTo}`);
    expect(await settle(client.caCertPem)).toBe(builder.caCertPem);
    expect(await settle(client.clientKeyPem)).toBe(farm.builderClientKeys[builder.name]);
    expect(referenced).toEqual(["organization/buildfarm/dev"]);
  });

  it("keeps the client key secret and the endpoint plain", async () => {
    await mockFarm(farm);
    const { useBuildFarm } = await import("../../examples/consumer/consumer");
    const client = useBuildFarm("organization/buildfarm/dev");
    expect(await pulumi.isSecret(client.clientKeyPem)).toBe(true);
    expect(await pulumi.isSecret(client.builderEndpoint)).toBe(false);
  });

  it("refuses a farm whose outputsVersion it does not know", async () => {
    const { selectFromFarm } = await import("../../examples/consumer/consumer");
    expect(() => selectFromFarm("acme/buildfarm/dev", { ...farm, outputsVersion: 2 })).toThrow(
      "acme/buildfarm/dev: outputsVersion 2 is not supported by this consumer (expects 1); read docs/stacks.md for what changed",
    );
    expect(() => selectFromFarm("acme/buildfarm/dev", { ...farm, outputsVersion: undefined })).toThrow("outputsVersion undefined is not supported");
  });

  it("names the builders the farm has when none matches", async () => {
    const { selectFromFarm } = await import("../../examples/consumer/consumer");
    expect(() => selectFromFarm("acme/buildfarm/dev", farm, { role: "prod" })).toThrow(`no builder matches {"role":"prod"}; the farm has ${farm.builders[0]!.name} (shared)`);
    expect(selectFromFarm("acme/buildfarm/dev", farm, { builder: farm.builders[0]!.name }).builder.endpoint).toBe(farm.builders[0]!.endpoint);
  });
});
