import { z } from "zod";
import { bucketNameSchema } from "../distributed-cache/args";
import { buildkitHostSchema } from "../buildkit-host/args";

export const productionBuilderSchema = z.strictObject({
  /** Dedicated hosts; never shared with the `hosts` pool. */
  hosts: z.array(buildkitHostSchema).min(1, { error: "expected at least one dedicated production host" }),
  sourcePolicy: z
    .strictObject({
      /** Registries base images may come from. @default ["docker.io/library"] */
      allowedRegistries: z.array(z.string().min(1)).min(1).default(["docker.io/library"]),
      /** Require base images pinned by digest. @default false */
      requireDigest: z.boolean().default(false),
    })
    .prefault({}),
  gate: z
    .strictObject({
      /** @default "trivy" */
      scanner: z.enum(["trivy", "grype"]).default("trivy"),
      /** Lowest severity that fails the gate. @default "high" */
      failOnSeverity: z.enum(["low", "medium", "high", "critical"]).default("high"),
      /** @default "keyless" */
      signing: z.enum(["key", "keyless"]).default("keyless"),
      /** Expected signer identity for keyless verification. */
      certificateIdentity: z.string().optional(),
      /** @default "https://token.actions.githubusercontent.com" */
      certificateOidcIssuer: z.url().default("https://token.actions.githubusercontent.com"),
    })
    .prefault({}),
  auditBucket: z.strictObject({
    name: bucketNameSchema,
    /** @default "governance" */
    objectLockMode: z.enum(["governance", "compliance"]).default("governance"),
    /** @default 365 */
    retentionDays: z.number().int().positive().default(365),
    /** Days before moving records to colder storage. @default 90 */
    transitionDays: z.number().int().positive().default(90),
  }),
  /** Import the shared cache read-only. @default true */
  readSharedCache: z.boolean().default(true),
});

export type ProductionBuilderSettings = z.output<typeof productionBuilderSchema>;
export type ProductionBuilderInput = z.input<typeof productionBuilderSchema>;
