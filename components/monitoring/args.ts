import { z } from "zod";
import { PINNED_IMAGES } from "../../lib/versions";

const urlSchema = z.url({ error: "expected a URL like \"https://grafana.example.com\"" });
const intervalSchema = z.string().regex(/^\d+(s|m)$/, { error: "expected an interval like \"15s\"" });

/** Images of the self-hosted stack, pinned `name:tag@sha256:…` in lib/versions.ts. */
export const MONITORING_IMAGES = {
  prometheus: PINNED_IMAGES.prometheus,
  alertmanager: PINNED_IMAGES.alertmanager,
  grafana: PINNED_IMAGES.grafana,
  nodeExporter: PINNED_IMAGES.nodeExporter,
} as const;

const imageSchema = z.string().regex(/^[\w./-]+(:[\w.-]+(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/, { error: "expected a pinned image like \"prom/prometheus:v2.55.1\"" })
  .refine((image) => !image.endsWith(":latest"), { error: "expected a pinned tag, got \":latest\"" });

const containerLimitsSchema = z.strictObject({
  /** Memory limit in MiB. */
  memoryMb: z.number().int().min(64).max(65536),
  /** CPU limit in cores. */
  cpus: z.number().min(0.1).max(64),
});

export const monitoringSchema = z.strictObject({
  /** "self-hosted" runs Prometheus, Alertmanager and Grafana; "existing" points at yours. @default "self-hosted" */
  mode: z.enum(["self-hosted", "existing"]).default("self-hosted"),
  /** Prometheus URL (required for "existing"). */
  prometheusUrl: urlSchema.optional(),
  /** Grafana URL (required for "existing"). */
  grafanaUrl: urlSchema.optional(),
  /** @default "15s" */
  scrapeInterval: intervalSchema.default("15s"),
  /** How often rules are evaluated. @default "1m" */
  evaluationInterval: intervalSchema.default("1m"),
  /** Prometheus TSDB retention; the duration alert needs 7 days of history. @default "15d" */
  retention: z.string().regex(/^\d+[dw]$/, { error: "expected a retention like \"15d\"" }).default("15d"),
  /** Self-hosted: the address published ports bind to. @default "127.0.0.1" */
  bindAddress: z.string().default("127.0.0.1"),
  /** Self-hosted: host ports. @default {prometheus: 9090, alertmanager: 9093, grafana: 3000} */
  ports: z
    .strictObject({
      prometheus: z.number().int().min(1).max(65535).default(9090),
      alertmanager: z.number().int().min(1).max(65535).default(9093),
      grafana: z.number().int().min(1).max(65535).default(3000),
    })
    .prefault({}),
  /** Self-hosted: pinned images. @default MONITORING_IMAGES */
  images: z
    .strictObject({
      prometheus: imageSchema.default(MONITORING_IMAGES.prometheus),
      alertmanager: imageSchema.default(MONITORING_IMAGES.alertmanager),
      grafana: imageSchema.default(MONITORING_IMAGES.grafana),
      nodeExporter: imageSchema.default(MONITORING_IMAGES.nodeExporter),
    })
    .prefault({}),
  /** Self-hosted: container limits. @default prometheus 1024 MiB/1 CPU, alertmanager 128/0.25, grafana 512/0.5, nodeExporter 64/0.2 */
  limits: z
    .strictObject({
      prometheus: containerLimitsSchema.default({ memoryMb: 1024, cpus: 1 }),
      alertmanager: containerLimitsSchema.default({ memoryMb: 128, cpus: 0.25 }),
      grafana: containerLimitsSchema.default({ memoryMb: 512, cpus: 0.5 }),
      nodeExporter: containerLimitsSchema.default({ memoryMb: 64, cpus: 0.2 }),
    })
    .prefault({}),
  alerting: z
    .strictObject({
      /** "alertmanager" renders an Alertmanager config; "grafana" provisions Grafana-managed alerting. @default "alertmanager" */
      via: z.enum(["alertmanager", "grafana"]).default("alertmanager"),
      /** Webhook receiving alerts. @default - none (alerts only visible in the UI) */
      webhookUrl: urlSchema.optional(),
      /** Slack channel when a Slack webhook secret is configured. @default - none */
      slackChannel: z.string().startsWith("#").optional(),
      /** Repeat a firing notification after this long. @default "4h" */
      repeatInterval: z.string().regex(/^\d+[mh]$/, { error: "expected a duration like \"4h\"" }).default("4h"),
    })
    .prefault({}),
  thresholds: z
    .strictObject({
      /** @default 0.8 */
      cacheHitRatioMin: z.number().min(0).max(1).default(0.8),
      /** Builds per hour below which the hit-ratio and failure-ratio alerts stay quiet. @default 20 */
      minBuildsPerHour: z.number().int().min(1).default(20),
      /** @default 0.1 */
      buildFailureRatioMax: z.number().min(0).max(1).default(0.1),
      /** @default 0.02 */
      prodBuildFailureRatioMax: z.number().min(0).max(1).default(0.02),
      /** Production builds per hour needed before its failure ratio alerts. @default 3 */
      prodMinBuildsPerHour: z.number().int().min(1).default(3),
      /** @default 0.9 */
      cacheDiskRatioMax: z.number().min(0).max(1).default(0.9),
      /** p95 duration over the 7-day baseline. @default 1.5 */
      durationRegressionFactor: z.number().min(1).max(10).default(1.5),
      /** @default 14 */
      certificateExpiryDays: z.number().int().min(1).max(365).default(14),
      /** Share of time tasks wait for memory (PSI) or memory in use. @default 0.9 */
      memoryUsedRatioMax: z.number().min(0).max(1).default(0.9),
      /** Share of time runnable tasks wait for a CPU (PSI). @default 0.8 */
      cpuWaitingRatioMax: z.number().min(0).max(1).default(0.8),
    })
    .prefault({}),
}).superRefine((settings, ctx) => {
  // Published ports share one bind address: a clash makes the second container fail to start.
  const seen = new Map<number, string>();
  for (const [service, port] of Object.entries(settings.ports)) {
    const other = seen.get(port);
    if (other !== undefined) ctx.addIssue({ code: "custom", path: ["ports", service], message: `expected a port not used by ${other}, got ${port}` });
    seen.set(port, service);
  }
});

export type MonitoringSettings = z.output<typeof monitoringSchema>;
export type MonitoringInput = z.input<typeof monitoringSchema>;
export type MonitoringThresholds = MonitoringSettings["thresholds"];

/** What Prometheus scrapes for one builder. Addresses are host:port. */
export interface MonitoringTarget {
  readonly builder: string;
  /** "prod" for the production builder, "shared" for pool builders. */
  readonly role: "prod" | "shared";
  /** buildkitd's debugAddress (serves /metrics). */
  readonly metricsAddress: string;
  /** The build-insights exporter. */
  readonly exporterAddress?: string;
  /** node_exporter on the builder's host. */
  readonly nodeAddress?: string;
}
