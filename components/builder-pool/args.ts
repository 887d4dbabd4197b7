import { z } from "zod";
import { connectionSchema, resourceNameSchema } from "../common/connection";
import { durationSchema } from "../../lib/units";

/** Priority classes, highest first, unless a pool lists its own. */
export const DEFAULT_CLASSES = ["release", "default-branch", "pull-request"] as const;
/** HAProxy accepts priority offsets of at most ±524287 ms. */
export const MAX_PRIORITY_OFFSET_MS = 524_287;
/** Port of the drain agent on every pool builder (the drain-flag contract). */
export const DEFAULT_AGENT_PORT = 9470;

const listenAddressSchema = z.string().regex(/^[^\s/]+:\d{1,5}$/, { error: "expected host:port like \"0.0.0.0:8443\"" });

/** A team that builds through the pool: its client certificate carries its name (CN) and class (OU). */
export const poolTeamSchema = z.strictObject({
  /** Team name, the certificate's common name. */
  name: resourceNameSchema,
  /** Priority class, one of the pool's `classes`. */
  class: z.string().min(1, { error: "expected a class name" }),
  /** Builds the team may run at once; more wait in the team's queue (they are not failed). */
  maxConcurrentBuilds: z.number().int().min(1, { error: "expected at least 1 concurrent build" }).max(10000),
});

/** The HAProxy front of a pool. */
export const poolFrontSchema = z.strictObject({
  /** Gateway host running the Debian `haproxy` package; absent on stacks that run the front as a container. @default - none */
  connection: connectionSchema.optional(),
  /** Where clients connect (TLS, client certificate required). @default "0.0.0.0:8443" */
  listenAddress: listenAddressSchema.default("0.0.0.0:8443"),
  /** Name clients use (server certificate name, `--tlsservername`). @default - the connection's host, else "localhost" */
  serverName: z.string().min(1).optional(),
  /** HAProxy's Prometheus endpoint (`/metrics`). @default "0.0.0.0:8405" */
  metricsAddress: listenAddressSchema.default("0.0.0.0:8405"),
  /** Networks allowed to reach the front. @default ["localhost"] */
  allowedNetworks: z.array(z.string().min(1)).default(["localhost"]),
});

export const builderPoolSchema = z.strictObject({
  name: resourceNameSchema,
  /** Names of `hosts` entries that serve this pool (a builder is in at most one pool). */
  builders: z.array(resourceNameSchema).min(1, { error: "expected at least one builder in the pool" }),
  /** Builds one builder runs at once; excess waits in the queue. @default - the builder's CPUs (resources.cpuQuota / 100), at least 1 */
  buildsPerBuilder: z.number().int().min(1).max(256).optional(),
  /** Longest a build waits in a queue before it is refused. @default "30m" */
  queueTimeout: durationSchema.default("30m"),
  /** Longest a connection may stay silent (builds stream progress; idle means stuck). @default "1h" */
  idleTimeout: durationSchema.default("1h"),
  /** Priority classes, highest first. @default ["release", "default-branch", "pull-request"] */
  classes: z.array(resourceNameSchema).min(1).default([...DEFAULT_CLASSES]),
  /**
   * Aging step: a build of class k is queued as if it had arrived k × agingSeconds later than it did, so a
   * higher class overtakes it only within that window and no class waits forever. @default 60
   */
  agingSeconds: z.number().int().min(1).max(3600).default(60),
  /** Teams allowed to build. */
  teams: z.array(poolTeamSchema).min(1, { error: "expected at least one team" }),
  front: poolFrontSchema.prefault({}),
  /** Port of the drain agent (`drain` / `up ready` / `down`) on each builder. @default 9470 */
  agentPort: z.number().int().min(1).max(65535).default(DEFAULT_AGENT_PORT),
  /** Queue wait that pages (alert `BuilderPoolQueueWaitOverSlo`). @default "5m" */
  queueWaitSlo: durationSchema.default("5m"),
  /** How long a team may sit at its quota before it is reported. @default "30m" */
  teamAtQuotaFor: durationSchema.default("30m"),
  /** Validity of the pool CA and every certificate it signs. @default 8760 (one year) */
  validityHours: z.number().int().min(24).max(87600).default(8760),
});

export type PoolTeam = z.output<typeof poolTeamSchema>;
export type PoolFront = z.output<typeof poolFrontSchema>;
export type BuilderPoolSettings = z.output<typeof builderPoolSchema>;
export type BuilderPoolInput = z.input<typeof builderPoolSchema>;
