import * as pulumi from "@pulumi/pulumi";

/** The outputs version this consumer was written against (stacks/outputs.ts OUTPUTS_VERSION). */
export const SUPPORTED_OUTPUTS_VERSION = 1;

/** The parts of the farm's outputs this consumer reads (a subset of the contract). */
export interface FarmOutputs {
  readonly outputsVersion: unknown;
  readonly builders: ReadonlyArray<{ name: string; role: string; endpoint: string; caCertPem: string; clientCertPem: string; buildxCreateCommand: string }>;
  readonly cache: { cacheFrom: string; cacheTo: string };
  readonly grafanaUrl: string;
}

export interface FarmSelection {
  readonly builder: FarmOutputs["builders"][number];
  readonly cacheFlags: string;
  readonly grafanaUrl: string;
}

export interface BuilderChoice {
  readonly builder?: string;
  readonly role?: "shared" | "prod";
}

/** Checks the contract version first, then picks one builder. Throws with the reason otherwise. */
export function selectFromFarm(stackName: string, outputs: FarmOutputs, choice: BuilderChoice = {}): FarmSelection {
  if (outputs.outputsVersion !== SUPPORTED_OUTPUTS_VERSION) {
    throw new Error(`${stackName}: outputsVersion ${JSON.stringify(outputs.outputsVersion)} is not supported by this consumer (expects ${SUPPORTED_OUTPUTS_VERSION}); read docs/stacks.md for what changed`);
  }
  const builder = outputs.builders.find((b) => (choice.builder === undefined || b.name === choice.builder) && (choice.role === undefined || b.role === choice.role));
  if (builder === undefined) {
    throw new Error(`${stackName}: no builder matches ${JSON.stringify(choice)}; the farm has ${outputs.builders.map((b) => `${b.name} (${b.role})`).join(", ")}`);
  }
  return { builder, cacheFlags: `--cache-from ${outputs.cache.cacheFrom} --cache-to ${outputs.cache.cacheTo}`, grafanaUrl: outputs.grafanaUrl };
}

/** What a team's CI needs from the build farm. */
export interface BuildFarmClient {
  readonly builderEndpoint: pulumi.Output<string>;
  readonly buildxCreateCommand: pulumi.Output<string>;
  /** `docker buildx build` cache flags for the default branch. */
  readonly cacheFlags: pulumi.Output<string>;
  readonly caCertPem: pulumi.Output<string>;
  readonly clientCertPem: pulumi.Output<string>;
  /** Secret. */
  readonly clientKeyPem: pulumi.Output<string>;
  readonly grafanaUrl: pulumi.Output<string>;
}

/**
 * Reads a build farm stack through StackReference (e.g. "acme/buildfarm/prod"; on the file backend
 * "organization/buildfarm/dev") and returns one builder's connection settings.
 */
export function useBuildFarm(stackName: string, choice: BuilderChoice = {}): BuildFarmClient {
  const farm = new pulumi.StackReference(stackName);
  const selection = pulumi
    .all([farm.requireOutput("outputsVersion"), farm.requireOutput("builders"), farm.requireOutput("cache"), farm.requireOutput("grafanaUrl")])
    .apply(([outputsVersion, builders, cache, grafanaUrl]) => selectFromFarm(stackName, { outputsVersion, builders, cache, grafanaUrl } as FarmOutputs, choice));
  // The keys stay apart from the selection so only the key itself is secret.
  const keys = farm.requireOutput("builderClientKeys") as pulumi.Output<Record<string, string>>;
  return {
    builderEndpoint: selection.apply((s) => s.builder.endpoint),
    buildxCreateCommand: selection.apply((s) => s.builder.buildxCreateCommand),
    cacheFlags: selection.apply((s) => s.cacheFlags),
    caCertPem: selection.apply((s) => s.builder.caCertPem),
    clientCertPem: selection.apply((s) => s.builder.clientCertPem),
    clientKeyPem: pulumi.secret(pulumi.all([keys, selection]).apply(([all, s]) => {
      const key = all[s.builder.name];
      if (key === undefined) throw new Error(`${stackName}: builderClientKeys has no key for ${s.builder.name}`);
      return key;
    })),
    grafanaUrl: selection.apply((s) => s.grafanaUrl),
  };
}
