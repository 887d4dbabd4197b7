import { PrometheusClient, type Sample } from "../prometheus-client";
import type { StackOutputValues } from "../../stacks/outputs";
import { fail, pass, StepFailure, type HealthCheck } from "./check";

/** Thresholds (the monitoring thresholds of the stack, `buildfarm:monitoring.thresholds.*`). */
export interface UtilisationThresholds {
  /** Free share of the fullest filesystem on a builder below which it fails. */
  readonly diskFreeRatioMin: number;
  readonly cacheDiskRatioMax: number;
  readonly memoryUsedRatioMax: number;
  readonly cpuWaitingRatioMax: number;
  /** Requests waiting in a pool front's queue above which it fails. */
  readonly queueLengthMax: number;
}

const FS = `fstype!~"tmpfs|overlay|squashfs|nsfs"`;

/** One utilisation check: a PromQL expression by a label, a limit, and what to do above it. */
interface Rule {
  readonly check: string;
  readonly expr: string;
  readonly by: string;
  readonly limit: number;
  /** true: values must stay at or above the limit. */
  readonly minimum: boolean;
  readonly format: (value: number) => string;
  readonly remedy: string;
  /** Text when no series exists (the component is absent); undefined makes no data a failure. */
  readonly absent?: string;
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

export function utilisationRules(t: UtilisationThresholds): Rule[] {
  return [
    { check: "disk free", by: "builder", expr: `min by (builder) (node_filesystem_avail_bytes{job="node",${FS}} / node_filesystem_size_bytes{job="node",${FS}})`, limit: t.diskFreeRatioMin, minimum: true, format: (v) => `${percent(v)} free`, remedy: "lower buildfarm:hosts[i].buildkitd.gc.maxUsedSpace or grow the disk" },
    { check: "cache vs GC cap", by: "builder", expr: `max by (builder) (buildkit_insights_cache_disk_usage_bytes / buildkit_insights_cache_gc_max_used_bytes)`, limit: t.cacheDiskRatioMax, minimum: false, format: percent, remedy: "GC does not keep up: check buildkitd's gc settings (buildfarm:hosts[i].buildkitd.gc) and its journal" },
    { check: "memory used", by: "builder", expr: `max by (builder) (1 - node_memory_MemAvailable_bytes{job="node"} / node_memory_MemTotal_bytes{job="node"})`, limit: t.memoryUsedRatioMax, minimum: false, format: percent, remedy: "lower buildfarm:hosts[i].buildkitd.worker.maxParallelism or add memory" },
    { check: "CPU pressure", by: "builder", expr: `max by (builder) (rate(node_pressure_cpu_waiting_seconds_total{job="node"}[5m]))`, limit: t.cpuWaitingRatioMax, minimum: false, format: (v) => `${percent(v)} waiting`, remedy: "lower buildfarm:hosts[i].buildkitd.worker.maxParallelism or add builders" },
    { check: "queue wait", by: "pool", expr: `max by (pool) (haproxy_backend_current_queue{job="buildfarm-pool-front"})`, limit: t.queueLengthMax, minimum: false, format: (v) => `${v} queued`, remedy: "raise the pool's maximum size or add builders to the pool", absent: "no pool front scraped" },
  ];
}

function worst(samples: readonly Sample[], minimum: boolean): Sample | undefined {
  return samples.filter((s) => Number.isFinite(s.value)).reduce<Sample | undefined>((a, b) => (a === undefined || (minimum ? b.value < a.value : b.value > a.value) ? b : a), undefined);
}

export function utilisationChecks(outputs: StackOutputValues, thresholds: UtilisationThresholds): HealthCheck[] {
  const prometheus = new PrometheusClient(outputs.prometheusUrl);
  return utilisationRules(thresholds).map((rule) => ({
    component: "utilisation",
    check: rule.check,
    run: async (signal) => {
      let samples: Sample[];
      try {
        samples = await prometheus.query(rule.expr, undefined, signal);
      } catch (error) {
        throw new StepFailure(`query ${rule.check}`, (error as Error).message, "check prometheusUrl is reachable from here");
      }
      const bad = worst(samples, rule.minimum);
      if (bad === undefined) return rule.absent !== undefined ? pass(rule.absent) : fail("no data", `query ${rule.check}`, "the metric is not scraped: see the prometheus checks");
      const measured = `worst ${rule.by}=${bad.labels[rule.by] ?? "?"}: ${rule.format(bad.value)} (limit ${rule.format(rule.limit)})`;
      const ok = rule.minimum ? bad.value >= rule.limit : bad.value <= rule.limit;
      return ok ? pass(measured) : fail(measured, `${rule.check} within limit`, rule.remedy);
    },
  }));
}
