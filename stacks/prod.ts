import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DistributedCache } from "../components/distributed-cache";
import type { StackConfig } from "../config/schema";
import type { Artifact } from "../lib/artifacts";
import { cacheOutput } from "./cache-output";
import { OUTPUTS_VERSION } from "./outputs";
import type { StackResult } from "./types";

/** Production: SSH builder pools, the production builder, AWS cache and audit store, monitoring. */
export function buildProdStack(config: StackConfig): StackResult {
  if (config.cache?.backend !== "aws") throw new Error(`buildfarm:cache.backend: expected "aws" in prod, got ${JSON.stringify(config.cache?.backend ?? null)}`);
  const awsProvider = new aws.Provider("prod-aws", { region: config.cache.region });
  const artifacts: Artifact[] = [];
  const cache = new DistributedCache("prod-cache", { settings: config.cache, environment: "prod" }, { providers: { aws: awsProvider } });
  artifacts.push(...cache.artifacts);
  return {
    outputs: {
      outputsVersion: OUTPUTS_VERSION,
      environment: "prod",
      builders: [],
      builderClientKeys: pulumi.secret({}),
      cache: cacheOutput(cache),
      cacheCredentials: pulumi.secret(null),
      prometheusUrl: config.monitoring.prometheusUrl ?? "",
      alertmanagerUrl: null,
      grafanaUrl: config.monitoring.grafanaUrl ?? "",
      grafanaDashboards: [],
      pluginInventory: [],
      prodGate: null,
    },
    artifacts,
  };
}
