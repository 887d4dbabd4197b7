import * as pulumi from "@pulumi/pulumi";

export const SECRET_PLACEHOLDER = "[secret]";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Resolves every Output inside a value; secret ones become "[secret]". */
export async function resolveDeep(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const output = value as pulumi.Output<unknown>;
    if (await pulumi.isSecret(output)) return SECRET_PLACEHOLDER;
    const inner = await new Promise<unknown>((resolve) => output.apply((v) => resolve(v)));
    return resolveDeep(inner);
  }
  if (value instanceof Promise) return resolveDeep(await value);
  if (Array.isArray(value)) return Promise.all(value.map(resolveDeep));
  if (value !== null && typeof value === "object" && !(value instanceof pulumi.asset.Asset) && !(value instanceof pulumi.asset.Archive)) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveDeep(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

/** Replaces wrapped secret values in serialized resource inputs with "[secret]". */
export function redactSecretInputs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecretInputs);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return SECRET_PLACEHOLDER;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redactSecretInputs(v)]));
  }
  return value;
}
