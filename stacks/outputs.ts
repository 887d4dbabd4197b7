import type * as pulumi from "@pulumi/pulumi";

/** Bumped on any breaking change to the outputs below. */
export const OUTPUTS_VERSION = 1;

/** The stack outputs other teams read through StackReference. */
export interface StackOutputs {
  readonly outputsVersion: number;
  readonly environment: "dev" | "prod";
  readonly builders: pulumi.Input<Array<Record<string, unknown>>>;
  readonly [key: string]: unknown;
}
