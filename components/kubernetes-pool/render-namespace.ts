import type { KubernetesPoolSettings } from "./args";
import { POOL_PORTS, poolNames, type KubeObject } from "./names";
import { quantityBytes, quantityCores } from "./quantities";

/** Front pods' budget (HAProxy is small); counted into the quota. */
export const FRONT_RESOURCES = {
  requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
  limits: { cpu: "1", memory: "256Mi", "ephemeral-storage": "128Mi" },
} as const;

function gi(bytes: number): string {
  return `${Math.ceil(bytes / 1024 ** 3)}Gi`;
}

/**
 * The namespace and its guards. Pod Security: enforce "privileged" because the rootless buildkitd
 * needs seccomp/AppArmor Unconfined, which "baseline" refuses; "restricted" is audited and warned so
 * every other deviation shows. The policy pack is the gate that keeps the exception this narrow.
 */
export function renderNamespaceObjects(pool: KubernetesPoolSettings): KubeObject[] {
  const names = poolNames(pool);
  const ns = names.namespace;
  const front = pool.front?.replicas ?? 0;
  const { requests, limits } = pool.resources;
  const max = pool.replicas.max;
  const frontCores = (q: string) => quantityCores(q) * front;
  const quota = {
    pods: String(max + front + 1),
    "requests.cpu": String(quantityCores(requests.cpu) * max + frontCores(FRONT_RESOURCES.requests.cpu)),
    "limits.cpu": String(quantityCores(limits.cpu) * max + frontCores(FRONT_RESOURCES.limits.cpu)),
    "requests.memory": gi(quantityBytes(requests.memory) * max + quantityBytes(FRONT_RESOURCES.requests.memory) * front),
    "limits.memory": gi(quantityBytes(limits.memory) * max + quantityBytes(FRONT_RESOURCES.limits.memory) * front),
    "requests.ephemeral-storage": gi(quantityBytes(requests.ephemeralStorage) * max + quantityBytes(FRONT_RESOURCES.requests["ephemeral-storage"]) * front),
    "limits.ephemeral-storage": gi(quantityBytes(limits.ephemeralStorage) * max + quantityBytes(FRONT_RESOURCES.limits["ephemeral-storage"]) * front),
    persistentvolumeclaims: String(max),
    "requests.storage": gi(quantityBytes(pool.storage.size) * max),
  };
  const prometheusPeer = { namespaceSelector: { matchLabels: { ...pool.prometheusNamespaceLabels } } };
  const clientPeer = { namespaceSelector: { matchLabels: { ...(pool.front?.clientNamespaceLabels ?? {}) } } };
  const dns = { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] };
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: ns,
        labels: {
          "buildfarm.dev/pool": pool.name,
          "pod-security.kubernetes.io/enforce": "privileged",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    },
    { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "pool-quota", namespace: ns }, spec: { hard: quota } },
    {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "pool-defaults", namespace: ns },
      spec: { limits: [{ type: "Container", default: { ...FRONT_RESOURCES.limits }, defaultRequest: { ...FRONT_RESOURCES.requests } }] },
    },
    {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: names.priorityClass },
      value: pool.priority,
      globalDefault: false,
      preemptionPolicy: "PreemptLowerPriority",
      description: `Builders of pool ${pool.name}: preempt batch work (priority < ${pool.priority}); system-*-critical pods (2e9) outrank them.`,
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny", namespace: ns },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "buildkitd", namespace: ns },
      spec: {
        podSelector: { matchLabels: { ...names.builderLabels } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          { from: [{ podSelector: { matchLabels: { ...names.frontLabels } } }], ports: [{ protocol: "TCP", port: POOL_PORTS.buildkitd }] },
          { from: [prometheusPeer], ports: [{ protocol: "TCP", port: POOL_PORTS.buildkitdMetrics }] },
        ],
        egress: [dns, ...pool.egress.map((rule) => ({ to: [{ ipBlock: { cidr: rule.cidr } }], ports: rule.ports.map((port) => ({ protocol: "TCP", port })) }))],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "pool-front", namespace: ns },
      spec: {
        podSelector: { matchLabels: { ...names.frontLabels } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          { from: [clientPeer], ports: [{ protocol: "TCP", port: pool.front?.port ?? POOL_PORTS.buildkitd }] },
          { from: [prometheusPeer], ports: [{ protocol: "TCP", port: POOL_PORTS.frontMetrics }] },
        ],
        egress: [dns, { to: [{ podSelector: { matchLabels: { ...names.builderLabels } } }], ports: [{ protocol: "TCP", port: POOL_PORTS.buildkitd }] }],
      },
    },
  ];
}
