import * as pulumi from "@pulumi/pulumi";
import { allConfig } from "@pulumi/pulumi/runtime/config";
import { ConfigError } from "./config/errors";
import { loadStackConfig } from "./config/load";
import { buildStack } from "./stacks";

function readConfig() {
  try {
    return loadStackConfig(allConfig());
  } catch (error) {
    // RunError prints the message alone: the offending keys, no stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const { outputs } = buildStack(readConfig());

export const outputsVersion = outputs.outputsVersion;
export const environment = outputs.environment;
export const builders = outputs.builders;
