/**
 * Example consumer: a team's Pulumi program that builds on the shared farm.
 * `pulumi config set farmStack acme/buildfarm/prod` then `pulumi up`; outputs feed CI.
 */
import * as pulumi from "@pulumi/pulumi";
import { useBuildFarm } from "./consumer";

const config = new pulumi.Config();
const farm = useBuildFarm(config.get("farmStack") ?? "organization/buildfarm/dev", { role: "shared" });

export const builderEndpoint = farm.builderEndpoint;
export const buildxCreateCommand = farm.buildxCreateCommand;
export const cacheFlags = farm.cacheFlags;
export const caCertPem = farm.caCertPem;
export const clientCertPem = farm.clientCertPem;
export const clientKeyPem = farm.clientKeyPem;
export const grafanaUrl = farm.grafanaUrl;
