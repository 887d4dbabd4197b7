import * as pulumi from "@pulumi/pulumi";
import { allConfig } from "@pulumi/pulumi/runtime/config";
import * as publicSettings from "@pulumi/pulumi/runtime/settings";
import { loadStackConfig } from "../../config/load";
import { buildStack } from "../../stacks";
import { mockCall, mockState } from "../../lib/plan/mock-state";
import { PROJECT } from "../../lib/plan/run-stack";

const settings = publicSettings as typeof publicSettings & { _reset(): void; waitForRPCs(): Promise<void> };

/** Resolves every Output, secrets included (the contract test needs their shape, not only "[secret]"). */
async function resolvePlain(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const inner = await new Promise<unknown>((resolve) => (value as pulumi.Output<unknown>).apply((v) => resolve(v)));
    return resolvePlain(inner);
  }
  if (value instanceof Promise) return resolvePlain(await value);
  if (Array.isArray(value)) return Promise.all(value.map(resolvePlain));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolvePlain(v)] as const)));
  }
  return value;
}

/** A stack's outputs with their plain values and which top-level outputs are Pulumi secrets. */
export async function stackOutputs(stack: string, config: Record<string, string>, secretKeys: readonly string[] = []): Promise<{ values: Record<string, unknown>; secretNames: string[] }> {
  settings._reset();
  await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: mockState(args) }), call: (args) => mockCall(args) }, PROJECT, stack, false);
  pulumi.runtime.setAllConfig({ ...config }, [...secretKeys]);
  const result = buildStack(loadStackConfig(allConfig()));
  const values: Record<string, unknown> = {};
  const secretNames: string[] = [];
  for (const [name, value] of Object.entries(result.outputs)) {
    values[name] = await resolvePlain(value);
    if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value as pulumi.Output<unknown>))) secretNames.push(name);
  }
  await settings.waitForRPCs();
  return { values, secretNames: secretNames.sort() };
}
