import { describe, expect, it } from "vitest";
import { MONITORING_IMAGES, monitoringSchema } from "../../../components/monitoring/args";

describe("monitoringSchema", () => {
  it("resolves {} to the documented secure defaults", () => {
    const settings = monitoringSchema.parse({});
    expect(settings).toMatchObject({
      mode: "self-hosted",
      scrapeInterval: "15s",
      evaluationInterval: "1m",
      retention: "15d",
      bindAddress: "127.0.0.1",
      ports: { prometheus: 9090, alertmanager: 9093, grafana: 3000 },
      images: MONITORING_IMAGES,
      alerting: { via: "alertmanager", repeatInterval: "4h" },
      thresholds: { cacheHitRatioMin: 0.8, minBuildsPerHour: 20, buildFailureRatioMax: 0.1, prodBuildFailureRatioMax: 0.02, prodMinBuildsPerHour: 3, cacheDiskRatioMax: 0.9, durationRegressionFactor: 1.5, certificateExpiryDays: 14 },
    });
    expect(settings.limits.prometheus).toEqual({ memoryMb: 1024, cpus: 1 });
  });

  it("rejects unpinned images, unknown keys and clashing ports with the key and the value", () => {
    const latest = monitoringSchema.safeParse({ images: { grafana: "grafana/grafana:latest" } });
    expect(latest.error?.issues[0]).toMatchObject({ path: ["images", "grafana"], message: 'expected a pinned tag, got ":latest"' });
    const untagged = monitoringSchema.safeParse({ images: { prometheus: "prom/prometheus" } });
    expect(untagged.error?.issues[0]?.path).toEqual(["images", "prometheus"]);
    expect(monitoringSchema.safeParse({ scrapeIntervall: "15s" }).success).toBe(false);
    const clash = monitoringSchema.safeParse({ ports: { grafana: 9090 } });
    expect(clash.error?.issues[0]).toMatchObject({ path: ["ports", "grafana"], message: "expected a port not used by prometheus, got 9090" });
  });
});
