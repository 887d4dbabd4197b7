import { describe, expect, it } from "vitest";
import { demandQuery, desiredReplicas, renderPoolObjects, stabilisedReplicas } from "../../../components/kubernetes-pool";
import { pool } from "./fixtures";

const bounds = { min: 2, max: 6, slotsPerReplica: 4 };

describe("desiredReplicas", () => {
  it("keeps the warm baseline with an empty queue and idle builders", () => {
    expect(desiredReplicas({ queued: 0, slotsInUse: 0 }, bounds)).toBe(2);
  });

  it("adds a replica as soon as one more build than the slots arrives", () => {
    expect(desiredReplicas({ queued: 0, slotsInUse: 12 }, bounds)).toBe(3);
    expect(desiredReplicas({ queued: 1, slotsInUse: 12 }, bounds)).toBe(4);
  });

  it("stops at max replicas in a burst, however long the queue", () => {
    expect(desiredReplicas({ queued: 500, slotsInUse: 24 }, bounds)).toBe(6);
  });

  it("treats negative samples (counter glitches) as zero", () => {
    expect(desiredReplicas({ queued: -3, slotsInUse: -1 }, bounds)).toBe(2);
  });
});

describe("stabilisedReplicas", () => {
  const window = 600;
  it("scales up at once", () => {
    expect(stabilisedReplicas([{ at: 0, replicas: 2 }, { at: 30, replicas: 5 }], 30, window)).toBe(5);
  });

  it("scales down only after the stabilisation window has passed", () => {
    const history = [{ at: 0, replicas: 6 }, { at: 30, replicas: 2 }, { at: 300, replicas: 2 }];
    expect(stabilisedReplicas(history, 300, window)).toBe(6);
    expect(stabilisedReplicas(history, 599, window)).toBe(6);
    expect(stabilisedReplicas(history, 600, window)).toBe(2);
  });

  it("a short dip inside the window removes no pod", () => {
    const history = [{ at: 0, replicas: 4 }, { at: 60, replicas: 2 }, { at: 120, replicas: 4 }];
    expect(stabilisedReplicas(history, 120, window)).toBe(4);
  });
});

describe("the ScaledObject encodes the same maths", () => {
  const settings = pool({ replicas: { min: 2, max: 6 }, slotsPerReplica: 4, scaling: { scaleDownStabilizationSeconds: 600 } });
  const scaled = renderPoolObjects(settings).find((o) => o.kind === "ScaledObject") as any;

  it("targets slotsPerReplica per pod on queued + in-use slots, within min..max", () => {
    expect(scaled.spec.minReplicaCount).toBe(bounds.min);
    expect(scaled.spec.maxReplicaCount).toBe(bounds.max);
    expect(scaled.spec.triggers[0]).toMatchObject({ type: "prometheus", metricType: "AverageValue", metadata: { threshold: "4", query: demandQuery("ci", "buildkitd") } });
    expect(demandQuery("ci", "buildkitd")).toBe(
      '(sum(haproxy_backend_current_queue{job="buildfarm-pool-front",pool="ci",proxy="buildkitd"}) or vector(0)) + (sum(haproxy_server_current_sessions{job="buildfarm-pool-front",pool="ci",proxy="buildkitd"}) or vector(0))',
    );
  });

  it("scales down after the same stabilisation window, one pod a minute, through the drain", () => {
    expect(scaled.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 600, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] });
    expect(scaled.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "StatefulSet", name: "buildkitd" });
  });
});
