import { z } from "zod";
import { PLUGIN_VERSIONS, SUPPORTED_ARCHES, pluginDigest } from "../../lib/versions";
import { COMPOSE_MIN_BUILDX, KNOWN_PLUGINS, compareVersions } from "./known-plugins";

/** The Linux system directories the Docker CLI searches, in its order (after the config-file dirs). */
export const SYSTEM_PLUGIN_DIRS = [
  "/usr/local/lib/docker/cli-plugins",
  "/usr/local/libexec/docker/cli-plugins",
  "/usr/lib/docker/cli-plugins",
  "/usr/libexec/docker/cli-plugins",
] as const;

const safePath = z.string().regex(/^\/[A-Za-z0-9._/-]*$/, { error: "expected an absolute path of letters, digits, . _ - and /" });
const sha256Hex = z.string().regex(/^[a-f0-9]{64}$/, { error: "expected a sha256 digest: 64 lower-case hex digits" });
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
  /**
   * sha256 of the release binary per architecture, for versions lib/versions.ts does not pin. Take it from
   * upstream's published checksums (verified out of band), never from the mirror you download from.
   * @default the pin in lib/versions.ts
   */
  sha256: z.strictObject({ amd64: sha256Hex.optional(), arm64: sha256Hex.optional() }).optional(),
});

/** Bounds on every download (curl; wget gets the connect and read timeouts). */
export const downloadLimitsSchema = z.strictObject({
  /** @default 10 */
  connectTimeoutSeconds: z.number().int().min(1).max(300).default(10),
  /** Whole transfer, per attempt. @default 300 */
  maxTimeSeconds: z.number().int().min(1).max(3600).default(300),
  /** Abort when slower than this many bytes per second ... @default 1024 */
  lowSpeedBytesPerSecond: z.number().int().min(1).default(1024),
  /** ... for this many seconds (a stalled mirror fails after this). @default 30 */
  lowSpeedSeconds: z.number().int().min(1).max(600).default(30),
  /** Attempts per file, with doubling pauses between them. @default 3 */
  attempts: z.number().int().min(1).max(10).default(3),
  /** First pause between attempts. @default 2 */
  retryDelaySeconds: z.number().int().min(0).max(60).default(2),
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
    required: z.array(requiredPluginSchema).default(Object.entries(PLUGIN_VERSIONS).map(([name, version]) => ({ name, version }))),
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
    /** Refuse a plugin version without a sha256 pin (lib/versions.ts or `sha256`); prod requires true. @default true */
    requirePinnedDigests: z.boolean().default(true),
    /** Allow `http://` download mirrors (a loopback test server, say); prod requires false. @default false */
    allowHttpMirrors: z.boolean().default(false),
    /** Timeouts and retries of every plugin download. @default see downloadLimitsSchema */
    download: downloadLimitsSchema.prefault({}),
    /** Engine-managed plugins (log, volume, network drivers). @default [] */
    enginePlugins: z.array(enginePluginSchema).default([]),
  })
  .superRefine((settings, ctx) => {
    const seen = new Set<string>();
    for (const [i, plugin] of settings.required.entries()) {
      if (seen.has(plugin.name)) ctx.addIssue({ code: "custom", path: ["required", i, "name"], message: `expected each plugin once, got "${plugin.name}" twice` });
      seen.add(plugin.name);
      if (!settings.allowHttpMirrors && plugin.downloadBaseUrl?.startsWith("http://")) {
        ctx.addIssue({ code: "custom", path: ["required", i, "downloadBaseUrl"], message: `expected an https:// mirror, got "${plugin.downloadBaseUrl}" (set buildfarm:plugins.allowHttpMirrors only for a test server)` });
      }
      for (const arch of SUPPORTED_ARCHES) {
        const pinned = pluginDigest(plugin.name, plugin.version, arch);
        const given = plugin.sha256?.[arch];
        if (pinned !== undefined && given !== undefined && given !== pinned) {
          ctx.addIssue({ code: "custom", path: ["required", i, "sha256", arch], message: `expected the digest lib/versions.ts pins for ${plugin.name} ${plugin.version} (${arch}), ${pinned}, got ${given}` });
        }
        if (settings.requirePinnedDigests && pinned === undefined && given === undefined) {
          ctx.addIssue({ code: "custom", path: ["required", i, "sha256", arch], message: `expected a sha256 pin for ${plugin.name} ${plugin.version} (linux/${arch}): lib/versions.ts has none, so supply the digest from upstream's published checksums (verified out of band), or pick a pinned version` });
        }
      }
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
export type DownloadLimits = z.output<typeof downloadLimitsSchema>;
export type EnginePlugin = z.output<typeof enginePluginSchema>;
export type PluginSetSettings = z.output<typeof pluginSetSchema>;
export type PluginSetInput = z.input<typeof pluginSetSchema>;
