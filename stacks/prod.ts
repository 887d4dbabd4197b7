import * as aws from "@pulumi/aws";
import type { StackConfig } from "../config/schema";
import { OUTPUTS_VERSION } from "./outputs";
import type { StackResult } from "./types";

/** Production: SSH builder pools, the production builder, AWS cache and audit store, monitoring. */
export function buildProdStack(config: StackConfig): StackResult {
  if (config.cache?.backend === "aws") new aws.Provider("prod-aws", { region: config.cache.region });
  return { outputs: { outputsVersion: OUTPUTS_VERSION, environment: "prod", builders: [] }, artifacts: [] };
}
