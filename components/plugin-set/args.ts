import { z } from "zod";
import { COMPOSE_MIN_BUILDX, KNOWN_PLUGINS, compareVersions } from "./known-plugins";

/** The Linux system directories the Docker CLI searches, in its order (after the config-file dirs). */
export const SYSTEM_PLUGIN_DIRS = [
  "/usr/local/lib/docker/cli-plugins",
  "/usr/local/libexec/docker/cli-plugins",
  "/usr/lib/docker/cli-plugins",
  "/usr/libexec/docker/cli-plugins",
] as const;

const safePath = z.string().regex(/^\/[A-Za-z0-9._/-]*$/, { error: "expected an absolute path of letters, digits, . _ - and /" });
const fileNameTemplate = z.string().regex(/^[A-Za-z0-9._{}-]+$/, { error: "expected a file name (placeholders {version} {arch} {uarch} {asset} allowed)" });

export const requiredPluginSchema = z.strictObject({
  /** Plugin name: the binary is `docker-<name>`. */
  name: z.string().regex(/^[a-z][a-z0-9]*$/, { error: "expected a plugin name like \"buildx\" (lower-case letters and digits)" }),
  /** Pinned release tag; a leading "v" is added when missing. */
  version: z
    .string()
    .regex(/^v?\d+\.\d+\.\d+$/, { error: "expected a version like \"v0.30.1\"" })
    .transform((v) => (v.startsWith("v") ? v : `v${v}`)),
  /**
   * Release directory for a mirror (`{version}` placeholder allowed).
   * @default the upstream release from the known-plugins catalogue
   */
  downloadBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Binary file name in the release; required for plugins outside the catalogue. @default from the catalogue */
  asset: fileNameTemplate.optional(),
  /** Checksum files to try, in order; required for plugins outside the catalogue. @default from the catalogue */
  checksumFiles: z.array(fileNameTemplate).min(1).optional(),
});

/** An engine-managed plugin (`docker plugin install`), created through `@pulumi/docker`'s Plugin resource. */
export const enginePluginSchema = z.strictObject({
  /** Plugin reference, e.g. "grafana/loki-docker-driver:3.3.2". Pin a tag. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9._-]+$/, { error: "expected a pinned plugin reference like \"grafana/loki-docker-driver:3.3.2\"" }),
  /** Local alias. @default the reference */
  alias: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/).optional(),
  /** @default true */
  enabled: z.boolean().default(true),
  /** Grant every permission the plugin asks for; keep false and review them. @default false */
  grantAllPermissions: z.boolean().default(false),
  /** `KEY=value` settings passed to the plugin. @default [] */
  env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*=/)).default([]),
});

export const pluginSetSchema = z
  .strictObject({
    /** @default true */
    enabled: z.boolean().default(true),
    /** CLI plugins to install and keep at their pinned version. @default [buildx v0.30.1, compose v2.40.3] */
    required: z.array(requiredPluginSchema).default([
      { name: "buildx", version: "v0.30.1" },
      { name: "compose", version: "v2.40.3" },
    ]),
    /** System plugin directory to install into; one the Docker CLI searches. @default "/usr/local/lib/docker/cli-plugins" */
    installDir: z.enum(SYSTEM_PLUGIN_DIRS).default("/usr/local/lib/docker/cli-plugins"),
    /** Where the audit/repair/install/health scripts are written on the host. @default "/usr/local/lib/buildfarm/plugins" */
    scriptDir: safePath.default("/usr/local/lib/buildfarm/plugins"),
    /** Staging, previous binaries and the update history (`history.jsonl`). @default "/var/lib/buildfarm/plugins" */
    stateDir: safePath.default("/var/lib/buildfarm/plugins"),
    /** Move invalid plugins to quarantine (never deleted; `plugin-repair.sh restore` undoes it). @default true */
    quarantineInvalid: z.boolean().default(true),
    /** @default "/var/lib/buildfarm/plugin-quarantine" */
    quarantineDir: safePath.default("/var/lib/buildfarm/plugin-quarantine"),
    /** Quarantine shadowed duplicates too (they are always reported). @default false */
    quarantineShadowed: z.boolean().default(false),
    /** Point `docker buildx` at this stack's builder (remote driver, mTLS) when an endpoint is given. @default true */
    configureBuildx: z.boolean().default(true),
    /** Name of that buildx builder. @default "buildfarm" */
    buildxBuilderName: z.string().regex(/^[a-z][a-z0-9_-]*$/).default("buildfarm"),
    /** node_exporter textfile-collector directory. @default "/var/lib/prometheus/node-exporter" */
    textfileDir: safePath.default("/var/lib/prometheus/node-exporter"),
    /** Engine-managed plugins (log, volume, network drivers). @default [] */
    enginePlugins: z.array(enginePluginSchema).default([]),
  })
  .superRefine((settings, ctx) => {
    const seen = new Set<string>();
    for (const [i, plugin] of settings.required.entries()) {
      if (seen.has(plugin.name)) ctx.addIssue({ code: "custom", path: ["required", i, "name"], message: `expected each plugin once, got "${plugin.name}" twice` });
      seen.add(plugin.name);
      if (KNOWN_PLUGINS[plugin.name]?.release === undefined) {
        for (const key of ["downloadBaseUrl", "asset", "checksumFiles"] as const) {
          if (plugin[key] === undefined) ctx.addIssue({ code: "custom", path: ["required", i, key], message: `expected ${key} for "${plugin.name}", which is not in the known-plugins catalogue, got nothing` });
        }
      }
    }
    const compose = settings.required.findIndex((p) => p.name === "compose");
    const buildx = settings.required.find((p) => p.name === "buildx");
    if (compose >= 0 && buildx !== undefined && compareVersions(buildx.version, COMPOSE_MIN_BUILDX) < 0) {
      ctx.addIssue({ code: "custom", path: ["required", settings.required.indexOf(buildx), "version"], message: `expected buildx >= ${COMPOSE_MIN_BUILDX} because compose needs it (docker/compose#13295), got "${buildx.version}"` });
    }
  });

export type RequiredPlugin = z.output<typeof requiredPluginSchema>;
export type EnginePlugin = z.output<typeof enginePluginSchema>;
export type PluginSetSettings = z.output<typeof pluginSetSchema>;
export type PluginSetInput = z.input<typeof pluginSetSchema>;
