import type { KubernetesPoolSettings } from "./args";
import { FRONT_BACKEND, POOL_PORTS, poolNames, type KubeObject } from "./names";
import { configChecksum } from "./render-builders";
import { FRONT_RESOURCES } from "./render-namespace";

/** The official image runs HAProxy as user haproxy (uid 99). */
const HAPROXY_UID = 99;

/**
 * The front's haproxy.cfg: TCP passthrough (clients keep mTLS end to end with buildkitd), one server
 * slot per possible replica from the headless Service's DNS, `maxconn` = build slots per pod so extra
 * builds wait in the backend queue that KEDA scales on, and the built-in Prometheus exporter.
 */
export function renderFrontHaproxyCfg(pool: KubernetesPoolSettings): string {
  const names = poolNames(pool);
  const port = pool.front?.port ?? POOL_PORTS.buildkitd;
  const dns = `${names.headless}.${names.namespace}.svc.cluster.local`;
  return [
    "# Managed by the buildfarm Pulumi program (KubernetesPool). Local edits are overwritten.",
    "global",
    "  log stdout format raw local0",
    "  maxconn 4096",
    "",
    "defaults",
    "  mode tcp",
    "  log global",
    "  option tcplog",
    "  timeout connect 5s",
    // Builds are long-lived gRPC streams; the queue wait is bounded so a client learns the pool is full.
    "  timeout client 4h",
    "  timeout server 4h",
    "  timeout queue 10m",
    "",
    "resolvers kube",
    "  parse-resolv-conf",
    "  hold valid 5s",
    "  hold nx 5s",
    "",
    "frontend metrics",
    "  mode http",
    `  bind :${POOL_PORTS.frontMetrics}`,
    "  http-request use-service prometheus-exporter if { path /metrics }",
    "  http-request return status 200 content-type text/plain string ok if { path /healthz }",
    "",
    "frontend builds",
    `  bind :${port}`,
    `  default_backend ${FRONT_BACKEND}`,
    "",
    `backend ${FRONT_BACKEND}`,
    "  balance leastconn",
    `  server-template builder 1-${pool.replicas.max} ${dns}:${POOL_PORTS.buildkitd} check resolvers kube init-addr none maxconn ${pool.slotsPerReplica}`,
    "",
  ].join("\n");
}

/** ConfigMap, Deployment and Service of the pool front. */
export function renderFrontObjects(pool: KubernetesPoolSettings): KubeObject[] {
  const names = poolNames(pool);
  const ns = names.namespace;
  const front = pool.front;
  if (front === undefined) throw new Error("buildfarm:kubernetesPools: expected a front section");
  const data = { "haproxy.cfg": renderFrontHaproxyCfg(pool) };
  const health = { httpGet: { path: "/healthz", port: POOL_PORTS.frontMetrics } };
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "pool-front-config", namespace: ns, labels: { ...names.frontLabels } }, data },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: names.front, namespace: ns, labels: { ...names.frontLabels } },
      spec: {
        replicas: front.replicas,
        selector: { matchLabels: { ...names.frontLabels } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: { ...names.frontLabels }, annotations: { "buildfarm.dev/config-checksum": configChecksum(data) } },
          spec: {
            priorityClassName: names.priorityClass,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: { runAsNonRoot: true, runAsUser: HAPROXY_UID, runAsGroup: HAPROXY_UID, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "haproxy",
                image: pool.images.haproxy,
                args: ["-f", "/usr/local/etc/haproxy/haproxy.cfg"],
                ports: [
                  { name: "builds", containerPort: front.port, protocol: "TCP" },
                  { name: "metrics", containerPort: POOL_PORTS.frontMetrics, protocol: "TCP" },
                ],
                resources: { requests: { ...FRONT_RESOURCES.requests }, limits: { ...FRONT_RESOURCES.limits } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                readinessProbe: { ...health, periodSeconds: 5 },
                livenessProbe: { ...health, periodSeconds: 20 },
                volumeMounts: [{ name: "config", mountPath: "/usr/local/etc/haproxy", readOnly: true }],
              },
            ],
            volumes: [{ name: "config", configMap: { name: "pool-front-config" } }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: names.front, namespace: ns, labels: { ...names.frontLabels } },
      spec: {
        type: "ClusterIP",
        selector: { ...names.frontLabels },
        ports: [
          { name: "builds", port: front.port, targetPort: front.port, protocol: "TCP" },
          { name: "metrics", port: POOL_PORTS.frontMetrics, targetPort: POOL_PORTS.frontMetrics, protocol: "TCP" },
        ],
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: names.front, namespace: ns, labels: { ...names.frontLabels } },
      spec: { minAvailable: 1, selector: { matchLabels: { ...names.frontLabels } } },
    },
  ];
}
