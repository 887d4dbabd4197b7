import { z } from "zod";

const urlSchema = z.url({ error: "expected a URL like \"https://grafana.example.com\"" });

export const monitoringSchema = z.strictObject({
  /** "self-hosted" runs Prometheus, Alertmanager and Grafana; "existing" points at yours. @default "self-hosted" */
  mode: z.enum(["self-hosted", "existing"]).default("self-hosted"),
  /** Prometheus URL (required for "existing"). */
  prometheusUrl: urlSchema.optional(),
  /** Grafana URL (required for "existing"). */
  grafanaUrl: urlSchema.optional(),
  /** @default "15s" */
  scrapeInterval: z.string().regex(/^\d+(s|m)$/, { error: "expected an interval like \"15s\"" }).default("15s"),
  alerting: z
    .strictObject({
      /** "alertmanager" renders an Alertmanager config; "grafana" provisions Grafana-managed alerting. @default "alertmanager" */
      via: z.enum(["alertmanager", "grafana"]).default("alertmanager"),
      /** Webhook receiving alerts. @default - none (alerts only visible in the UI) */
      webhookUrl: urlSchema.optional(),
      /** Slack channel when a Slack webhook secret is configured. @default - none */
      slackChannel: z.string().startsWith("#").optional(),
    })
    .prefault({}),
  thresholds: z
    .strictObject({
      /** @default 0.8 */
      cacheHitRatioMin: z.number().min(0).max(1).default(0.8),
      /** @default 0.1 */
      buildFailureRatioMax: z.number().min(0).max(1).default(0.1),
      /** @default 0.02 */
      prodBuildFailureRatioMax: z.number().min(0).max(1).default(0.02),
      /** @default 0.9 */
      cacheDiskRatioMax: z.number().min(0).max(1).default(0.9),
      /** p95 duration over the 7-day baseline. @default 1.5 */
      durationRegressionFactor: z.number().min(1).max(10).default(1.5),
      /** @default 14 */
      certificateExpiryDays: z.number().int().min(1).max(365).default(14),
    })
    .prefault({}),
});

export type MonitoringSettings = z.output<typeof monitoringSchema>;
export type MonitoringInput = z.input<typeof monitoringSchema>;
