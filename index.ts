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

// The outputs contract (stacks/outputs.ts, documented in docs/stacks.md): one export per output.
export const outputsVersion = outputs.outputsVersion;
export const environment = outputs.environment;
export const builders = outputs.builders;
export const builderClientKeys = outputs.builderClientKeys;
export const cache = outputs.cache;
export const cacheCredentials = outputs.cacheCredentials;
export const prometheusUrl = outputs.prometheusUrl;
export const alertmanagerUrl = outputs.alertmanagerUrl;
export const grafanaUrl = outputs.grafanaUrl;
export const grafanaAdminPassword = outputs.grafanaAdminPassword;
export const grafanaDashboards = outputs.grafanaDashboards;
export const pluginInventory = outputs.pluginInventory;
export const prodGate = outputs.prodGate;
