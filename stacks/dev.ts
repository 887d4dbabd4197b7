import * as docker from "@pulumi/docker";
import type { StackConfig } from "../config/schema";
import { OUTPUTS_VERSION } from "./outputs";
import type { StackResult } from "./types";

/** The whole farm on one Docker host. */
export function buildDevStack(config: StackConfig): StackResult {
  const provider = new docker.Provider("dev-docker", { host: config.docker.host });
  new docker.Network("buildfarm", { name: "buildfarm", internal: false, driver: "bridge" }, { provider });
  return { outputs: { outputsVersion: OUTPUTS_VERSION, environment: "dev", builders: [] }, artifacts: [] };
}
