import type { KubernetesPoolSettings } from "./args";
import { FRONT_BACKEND, poolNames, type KubeObject } from "./names";
import { demandQuery } from "./scaling";

/**
 * The KEDA ScaledObject: the HPA it creates computes ceil(demand / slotsPerReplica) (AverageValue),
 * clamped to min..max: `desiredReplicas` in scaling.ts. Scale-down waits for the stabilisation window
 * and removes pods slowly; each removed pod drains through its preStop hook.
 */
export function renderScaledObject(pool: KubernetesPoolSettings): KubeObject {
  const names = poolNames(pool);
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { name: names.builders, namespace: names.namespace, labels: { ...names.builderLabels } },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "StatefulSet", name: names.builders },
      minReplicaCount: pool.replicas.min,
      maxReplicaCount: pool.replicas.max,
      pollingInterval: pool.scaling.pollingIntervalSeconds,
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: {
            scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: pool.replicas.max, periodSeconds: 15 }] },
            scaleDown: { stabilizationWindowSeconds: pool.scaling.scaleDownStabilizationSeconds, policies: [{ type: "Pods", value: pool.scaling.scaleDownPodsPerMinute, periodSeconds: 60 }] },
          },
        },
      },
      triggers: [
        {
          type: "prometheus",
          name: "queued-and-busy-slots",
          metricType: "AverageValue",
          metadata: {
            serverAddress: pool.scaling.prometheusUrl,
            query: demandQuery(pool.name, FRONT_BACKEND),
            threshold: String(pool.slotsPerReplica),
            activationThreshold: "0",
          },
        },
      ],
    },
  };
}
