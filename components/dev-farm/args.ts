import { z } from "zod";
import { sizeSchema } from "../../lib/units";
import { isPinnedImage } from "./images";

const serviceNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, { error: "expected a lower-case service name like \"minio\"" });
const durationSchema = z.string().regex(/^\d+(ms|s|m)$/, { error: "expected a Docker duration like \"30s\"" });

export const pinnedImageSchema = z.string().refine(isPinnedImage, {
  error: (issue) => `expected an image pinned to an exact tag or digest, got ${JSON.stringify(issue.input)}`,
});

/** How one dev-farm container runs. Defaults are the safe ones; relaxations are named. */
export const dockerServiceSchema = z.strictObject({
  /** Service name: container `buildfarm-<service>`, network alias `<service>`. */
  service: serviceNameSchema,
  image: pinnedImageSchema,
  /** Replaces the image's entrypoint. @default - the image's */
  entrypoint: z.array(z.string()).optional(),
  /** @default [] (the image's) */
  command: z.array(z.string()).default([]),
  /** @default - the image's user */
  user: z.string().optional(),
  /** Non-secret environment. @default {} */
  env: z.record(z.string(), z.string()).default({}),
  /** Hard memory limit. @default "512MiB" */
  memory: sizeSchema.default("512MiB"),
  /** CPU limit in cores. @default 1 */
  cpus: z.number().positive().max(64).default(1),
  /** Container ports published on the bind address. @default [] */
  ports: z.array(z.strictObject({ internal: z.number().int().min(1).max(65535), external: z.number().int().min(1).max(65535) })).default([]),
  /** Named volumes (`buildfarm-<service>-<name>`), kept across container replacements. @default [] */
  volumes: z.array(z.strictObject({ name: serviceNameSchema, containerPath: z.string().startsWith("/"), readOnly: z.boolean().default(false) })).default([]),
  /** Health check command (exec form); required unless `oneShot`. */
  healthcheck: z
    .strictObject({
      test: z.array(z.string()).min(1),
      /** @default "30s" */
      interval: durationSchema.default("30s"),
      /** @default "5s" */
      timeout: durationSchema.default("5s"),
      /** @default 3 */
      retries: z.number().int().min(1).default(3),
      /** @default "20s" */
      startPeriod: durationSchema.default("20s"),
    })
    .optional(),
  /** Runs once to completion (a setup job) instead of as a service. @default false */
  oneShot: z.boolean().default(false),
  /** Docker security options; relaxations (seccomp/apparmor unconfined) are visible here. @default ["no-new-privileges:true"] */
  securityOpts: z.array(z.string()).default(["no-new-privileges:true"]),
  /** Max open files. @default 65536 */
  nofile: z.number().int().min(1024).default(65536),
}).superRefine((service, ctx) => {
  if (!service.oneShot && service.healthcheck === undefined) {
    ctx.addIssue({ code: "custom", path: ["healthcheck"], message: `expected a health check for the long-running service "${service.service}"` });
  }
});

export type DockerServiceSettings = z.output<typeof dockerServiceSchema>;
export type DockerServiceInput = z.input<typeof dockerServiceSchema>;
