import { z } from "zod";

export const requiredPluginSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9]*$/, { error: "expected a plugin name like \"buildx\" (lower-case letters and digits)" }),
  version: z.string().regex(/^v?\d+\.\d+\.\d+$/, { error: "expected a version like \"v0.30.1\"" }),
  /** Release download base; the plugin's upstream release page by default. */
  downloadBaseUrl: z.url().optional(),
});

export const pluginSetSchema = z.strictObject({
  /** @default true */
  enabled: z.boolean().default(true),
  /** @default [buildx, compose] at pinned versions */
  required: z.array(requiredPluginSchema).default([
    { name: "buildx", version: "v0.30.1" },
    { name: "compose", version: "v2.40.3" },
  ]),
  /** @default "/usr/local/lib/docker/cli-plugins" */
  installDir: z.string().startsWith("/").default("/usr/local/lib/docker/cli-plugins"),
  /** @default "/var/lib/buildfarm/plugin-quarantine" */
  quarantineDir: z.string().startsWith("/").default("/var/lib/buildfarm/plugin-quarantine"),
  /** Quarantine shadowed duplicates too (they are always reported). @default false */
  quarantineShadowed: z.boolean().default(false),
  /** Point `docker buildx` at this stack's builder. @default true */
  configureBuildx: z.boolean().default(true),
  /** node_exporter textfile-collector directory. @default "/var/lib/prometheus/node-exporter" */
  textfileDir: z.string().startsWith("/").default("/var/lib/prometheus/node-exporter"),
});

export type PluginSetSettings = z.output<typeof pluginSetSchema>;
export type PluginSetInput = z.input<typeof pluginSetSchema>;
