/** Compliant Kubernetes resources (a rootless buildkitd pool, a restricted exporter, namespace guards). */
import { BUILDKIT_VERSION } from "../../lib/versions";
import { resource, type Resource } from "./fixtures";

export const BUILDER_LABELS = { "app.kubernetes.io/name": "buildkitd", "app.kubernetes.io/component": "builder" };

/** A rootless buildkitd StatefulSet: compliant thanks to the documented seccomp/AppArmor exception. */
export function builderStatefulSet(namespace = "builds"): Resource {
  const probe = { exec: { command: ["buildctl", "debug", "workers"] }, initialDelaySeconds: 5, periodSeconds: 30 };
  return resource("kubernetes:apps/v1:StatefulSet", "builders", {
    metadata: { name: "buildkitd", namespace },
    spec: {
      replicas: 3,
      selector: { matchLabels: BUILDER_LABELS },
      template: {
        metadata: { labels: BUILDER_LABELS },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "buildkitd",
              image: `moby/buildkit:${BUILDKIT_VERSION}-rootless`,
              args: ["--addr", "unix:///run/user/1000/buildkit/buildkitd.sock", "--addr", "tcp://0.0.0.0:1234"],
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "Unconfined" },
                appArmorProfile: { type: "Unconfined" },
              },
              resources: {
                requests: { cpu: "2", memory: "4Gi", "ephemeral-storage": "20Gi" },
                limits: { cpu: "4", memory: "8Gi", "ephemeral-storage": "50Gi" },
              },
              readinessProbe: probe,
              livenessProbe: probe,
            },
          ],
        },
      },
    },
  });
}

/** A plain, fully restricted Deployment (the insights exporter). */
export function exporterDeployment(namespace = "builds"): Resource {
  const probe = { httpGet: { path: "/metrics", port: 9464 } };
  return resource("kubernetes:apps/v1:Deployment", "exporter", {
    metadata: { name: "exporter", namespace },
    spec: {
      selector: { matchLabels: { app: "exporter" } },
      template: {
        metadata: { labels: { app: "exporter" } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
          initContainers: [
            {
              name: "wait",
              image: "busybox:1.37.0",
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              resources: { requests: { cpu: "10m", memory: "16Mi", "ephemeral-storage": "16Mi" }, limits: { cpu: "50m", memory: "32Mi", "ephemeral-storage": "32Mi" } },
            },
          ],
          containers: [
            {
              name: "exporter",
              image: "ghcr.io/acme/insights-exporter@sha256:" + "a".repeat(64),
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
              resources: { requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "64Mi" }, limits: { cpu: "200m", memory: "128Mi", "ephemeral-storage": "128Mi" } },
              readinessProbe: probe,
              livenessProbe: probe,
            },
          ],
        },
      },
    },
  });
}

export function namespaceGuards(namespace = "builds"): Resource[] {
  return [
    resource("kubernetes:core/v1:ResourceQuota", `${namespace}-quota`, { metadata: { name: "builds", namespace }, spec: { hard: { "requests.cpu": "32", "limits.memory": "128Gi", "requests.ephemeral-storage": "500Gi", pods: "20" } } }),
    resource("kubernetes:core/v1:LimitRange", `${namespace}-limits`, { metadata: { name: "builds", namespace }, spec: { limits: [{ type: "Container", max: { cpu: "8", memory: "16Gi" } }] } }),
    resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${namespace}-netpol`, { metadata: { name: "default-deny", namespace }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }),
    resource("kubernetes:policy/v1:PodDisruptionBudget", `${namespace}-builders-pdb`, { metadata: { name: "buildkitd", namespace }, spec: { maxUnavailable: 1, selector: { matchLabels: BUILDER_LABELS } } }),
  ];
}

