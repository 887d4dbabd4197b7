import { z } from "zod";
import { PINNED_IMAGES } from "../../lib/versions";
import { bucketNameSchema } from "../distributed-cache/args";
import { buildkitHostSchema } from "../buildkit-host/args";

/** The Dockerfile frontend production builds may name in `# syntax=`: pinned to a release. */
export const PINNED_DOCKERFILE_FRONTEND = "docker/dockerfile:1.26.0";

/** BuildKit's default SBOM generator image, pinned by digest (its `stable-1` tag moves). */
export const SBOM_GENERATOR = PINNED_IMAGES.sbomGenerator;

/** A frontend reference pinned to a full release tag and/or a digest (`docker/dockerfile:1.26.0`, `…@sha256:…`). */
export const PINNED_FRONTEND_PATTERN = /^[a-z0-9][a-z0-9._/-]*(:\d+\.\d+\.\d+(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/;

/**
 * Production host defaults, stricter than the shared pool's. Only keys the operator left out are
 * filled; explicit relaxations (rootless: false …) are rejected by the stack schema's prod rules.
 */
export const PRODUCTION_HOST_DEFAULTS = {
  role: "prod",
  buildkitd: {
    worker: { rootless: true, noProcessSandbox: false, maxParallelism: 4 },
    /** Long build history: the audit trail on the daemon itself. */
    history: { maxAge: "2160h", maxEntries: 5000 },
    tls: { mode: "generate" },
    allowedFrontends: [PINNED_DOCKERFILE_FRONTEND],
    insecureEntitlements: [],
  },
  resources: { cpuQuota: "400%", memoryHigh: "12GiB", memoryMax: "16GiB", tasksMax: 2048, limitNofile: 65536 },
  labels: { role: "prod" },
} as const;

/** Fills keys missing from `input` with `defaults`, recursively; arrays and scalars are taken as given. */
export function fillDefaults(input: unknown, defaults: unknown): unknown {
  if (input === undefined) return structuredClone(defaults);
  const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (!isRecord(input) || !isRecord(defaults)) return input;
  const out: Record<string, unknown> = { ...input };
  for (const [key, value] of Object.entries(defaults)) out[key] = fillDefaults(input[key], value);
  return out;
}

/** A BuildkitHost entry with the production defaults applied first. */
export const productionHostSchema = z.preprocess((raw) => fillDefaults(raw, PRODUCTION_HOST_DEFAULTS), buildkitHostSchema);

const severitySchema = z.enum(["low", "medium", "high", "critical"]);

export const productionBuilderSchema = z.strictObject({
  /** Dedicated hosts; never shared with the `hosts` pool. Defaults: see PRODUCTION_HOST_DEFAULTS. */
  hosts: z.array(productionHostSchema).min(1, { error: "expected at least one dedicated production host" }),
  sourcePolicy: z
    .strictObject({
      /** Registries (with optional repository path) base images may come from. @default ["docker.io/library"] */
      allowedRegistries: z
        .array(z.string().regex(/^[a-z0-9][a-z0-9.-]*(:\d+)?(\/[a-z0-9._-]+)*$/, { error: "expected a registry like \"ghcr.io/acme\" (no scheme, no tag)" }))
        .min(1)
        .default(["docker.io/library"]),
      /** Require base images pinned by digest (`FROM image@sha256:…`). @default false */
      requireDigest: z.boolean().default(false),
      /**
       * The SBOM scanner image BuildKit runs for `attest:sbom`; the source policy allows exactly this image.
       * @default "docker.io/docker/buildkit-syft-scanner:stable-1@sha256:ae4f3b55…" (BuildKit's default generator, pinned in lib/versions.ts)
       */
      sbomGenerator: z.string().regex(/^[a-z0-9][a-z0-9._/:-]*(@sha256:[a-f0-9]{64})?$/, { error: "expected an image reference like \"docker/buildkit-syft-scanner:stable-1\"" }).default(SBOM_GENERATOR),
      /** Tag → digest pins (CONVERT rules), e.g. `{"docker.io/library/alpine:3.20": "sha256:…"}`. @default {} */
      pins: z.record(z.string().regex(/^[a-z0-9][^\s@]*:[^\s@/]+$/, { error: "expected an image reference with a tag" }), z.string().regex(/^sha256:[a-f0-9]{64}$/, { error: "expected a digest like \"sha256:<64 hex>\"" })).default({}),
    })
    .prefault({}),
  gate: z
    .strictObject({
      /** @default "trivy" */
      scanner: z.enum(["trivy", "grype"]).default("trivy"),
      /** Lowest severity that fails the gate. @default "high" */
      failOnSeverity: severitySchema.default("high"),
      /** @default "keyless" */
      signing: z.enum(["key", "keyless"]).default("keyless"),
      /** cosign key reference for `signing: key` (a file, `awskms://…`, `hashivault://…`). @default - required for "key" */
      cosignKey: z.string().min(1).optional(),
      /** Public key reference to verify with for `signing: key`. @default - required for "key" */
      cosignPublicKey: z.string().min(1).optional(),
      /** Expected signer identity for keyless verification. @default - required for "keyless" */
      certificateIdentity: z.string().optional(),
      /** @default "https://token.actions.githubusercontent.com" */
      certificateOidcIssuer: z.url().default("https://token.actions.githubusercontent.com"),
      /** Command that copies a local file to an `s3://` URL (argv: <file> <url>). @default "aws s3 cp --only-show-errors" */
      uploader: z.string().min(1).default("aws s3 cp --only-show-errors"),
    })
    .prefault({}),
  auditBucket: z.strictObject({
    name: bucketNameSchema,
    /** @default "governance" */
    objectLockMode: z.enum(["governance", "compliance"]).default("governance"),
    /** Default Object Lock retention of every record. @default 365 */
    retentionDays: z.number().int().positive().default(365),
    /** Days before moving records to colder storage. @default 90 */
    transitionDays: z.number().int().positive().default(90),
    /** @default "GLACIER_IR" */
    transitionStorageClass: z.enum(["STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]).default("GLACIER_IR"),
    /** Key prefix of the build records. @default "builds" */
    prefix: z.string().regex(/^[a-z0-9][a-z0-9/_-]*$/).default("builds"),
    /** @default "sse-s3" */
    encryption: z.enum(["sse-s3", "sse-kms"]).default("sse-s3"),
    kmsKeyArn: z.string().startsWith("arn:").optional(),
    /** Existing IAM role of the production builders; gets write (never delete) access. @default "buildfarm-prod-builder" */
    writerRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/).default("buildfarm-prod-builder"),
  }),
  /** Cache prefix only the production builder writes (below the cache's own prefix). @default "prod-release" */
  cachePrefix: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default("prod-release"),
  /**
   * How the production daemons authenticate to the cache bucket. "user": a dedicated IAM user whose keys go to the
   * production hosts only (hosts outside AWS); "role": the hosts' instance role `auditBucket.writerRoleName`.
   * Either way the shared pool's keys never reach a production host. @default "user"
   */
  cacheAccess: z.enum(["user", "role"]).default("user"),
  /** Import the shared cache read-only. @default true */
  readSharedCache: z.boolean().default(true),
  monitoring: z
    .strictObject({
      /** Alert when more than this share of production builds fail. @default 0.02 */
      buildFailureRatioMax: z.number().min(0).max(1).default(0.02),
      /** Alert when a production builder's TLS certificate expires within this many days. @default 30 */
      certificateExpiryDays: z.number().int().min(1).max(365).default(30),
      /** Alert when the production cache disk is fuller than this share. @default 0.8 */
      cacheDiskRatioMax: z.number().min(0).max(1).default(0.8),
    })
    .prefault({}),
});

export type ProductionBuilderSettings = z.output<typeof productionBuilderSchema>;
export type ProductionBuilderInput = z.input<typeof productionBuilderSchema>;
export type Severity = z.output<typeof severitySchema>;
