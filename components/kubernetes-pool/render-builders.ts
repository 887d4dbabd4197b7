import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderBuildkitdToml, TLS_FILES, type BuildkitdSettings } from "../buildkit-host";
import { drainScript } from "../common/drain-script";
import type { KubernetesPoolSettings } from "./args";
import { POD_PATHS, POOL_PORTS, poolNames, type KubeObject } from "./names";
import { goMaxProcs, quantityBytes } from "./quantities";
import { GC_MAX_USED_SHARE } from "./validate";

/** Seconds the drain leaves Kubernetes to stop buildkitd cleanly after the wait. */
export const DRAIN_STOP_MARGIN_SECONDS = 15;

/**
 * buildkitd settings for a pool pod: rootless, TCP listener with mTLS, GC sized from the PVC, and no
 * process sandbox (upstream's Kubernetes rootless setup: /proc stays masked in a pod, see docs).
 */
export function podBuildkitdSettings(pool: KubernetesPoolSettings): BuildkitdSettings {
  const storage = quantityBytes(pool.storage.size);
  return {
    ...pool.buildkitd,
    rootDir: POD_PATHS.stateDir,
    worker: { ...pool.buildkitd.worker, rootless: true, noProcessSandbox: true, maxParallelism: pool.buildkitd.worker.maxParallelism },
    gc: { enabled: true, reservedSpace: pool.gcReservedSpace, maxUsedSpace: String(Math.floor(storage * GC_MAX_USED_SHARE)), minFreeSpace: "10%" },
    grpc: { ...pool.buildkitd.grpc, tcpAddress: `tcp://0.0.0.0:${POOL_PORTS.buildkitd}`, debugAddress: `0.0.0.0:${POOL_PORTS.buildkitdMetrics}` },
    tls: { ...pool.buildkitd.tls, mode: "supplied" },
  };
}

export function renderPoolBuildkitdToml(pool: KubernetesPoolSettings): string {
  return renderBuildkitdToml(podBuildkitdSettings(pool), { unixSocket: POD_PATHS.unixSocket, tlsDir: POD_PATHS.tlsDir, labels: { "buildfarm.dev/pool": pool.name } });
}

export function readinessScript(): string {
  return readFileSync(join(__dirname, "scripts", "buildkit-ready.sh"), "utf8");
}

/** The ConfigMap's data; its checksum is a pod annotation, so a config change rolls the pods. */
export function builderConfigData(pool: KubernetesPoolSettings): Record<string, string> {
  return { "buildkitd.toml": renderPoolBuildkitdToml(pool), "buildkit-drain.sh": drainScript(), "buildkit-ready.sh": readinessScript() };
}

export function configChecksum(data: Readonly<Record<string, string>>): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(data).sort()) hash.update(`${key}\0${data[key]}\0`);
  return hash.digest("hex");
}

export interface BuilderTls<T = string> {
  readonly caCertPem: T;
  readonly serverCertPem: T;
  readonly serverKeyPem: T;
}

/** The Secret holding the pool CA and the builders' server certificate (values are Pulumi secrets in the stack). */
export function renderTlsSecret<T>(pool: KubernetesPoolSettings, tls: BuilderTls<T>) {
  const names = poolNames(pool);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "buildkitd-tls", namespace: names.namespace, labels: { ...names.builderLabels } },
    type: "Opaque",
    stringData: { [TLS_FILES.ca]: tls.caCertPem, [TLS_FILES.serverCert]: tls.serverCertPem, [TLS_FILES.serverKey]: tls.serverKeyPem },
  };
}

function resources(pool: KubernetesPoolSettings) {
  const set = (r: KubernetesPoolSettings["resources"]["limits"]) => ({ cpu: r.cpu, memory: r.memory, "ephemeral-storage": r.ephemeralStorage });
  return { requests: set(pool.resources.requests), limits: set(pool.resources.limits) };
}

/** ConfigMap, headless Service, StatefulSet and PodDisruptionBudget of the builders (the Secret: renderTlsSecret). */
export function renderBuilderObjects(pool: KubernetesPoolSettings): KubeObject[] {
  const names = poolNames(pool);
  const ns = names.namespace;
  const data = builderConfigData(pool);
  const grace = pool.terminationGracePeriodSeconds;
  const env = [
    { name: "GOMAXPROCS", value: String(goMaxProcs(pool.resources.limits.cpu)) },
    { name: "BUILDKIT_ADDR", value: POD_PATHS.unixSocket },
    { name: "BUILDCTL", value: "buildctl" },
    { name: "DRAIN_FLAG_FILE", value: POD_PATHS.drainFlag },
    { name: "GRACE_SECONDS", value: String(grace - DRAIN_STOP_MARGIN_SECONDS) },
    { name: "POLL_SECONDS", value: "5" },
  ];
  const workers = { exec: { command: ["buildctl", "--addr", POD_PATHS.unixSocket, "debug", "workers"] } };
  const statefulSet: KubeObject = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: names.builders, namespace: ns, labels: { ...names.builderLabels } },
    spec: {
      serviceName: names.headless,
      podManagementPolicy: "Parallel",
      replicas: pool.replicas.min,
      selector: { matchLabels: { ...names.builderLabels } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenScaled: "Retain", whenDeleted: "Retain" },
      template: {
        metadata: { labels: { ...names.builderLabels }, annotations: { "buildfarm.dev/config-checksum": configChecksum(data) } },
        spec: {
          priorityClassName: names.priorityClass,
          terminationGracePeriodSeconds: grace,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
          containers: [
            {
              name: "buildkitd",
              image: pool.images.buildkitd,
              args: ["--config", `${POD_PATHS.configDir}/buildkitd.toml`],
              env,
              ports: [
                { name: "buildkitd", containerPort: POOL_PORTS.buildkitd, protocol: "TCP" },
                { name: "metrics", containerPort: POOL_PORTS.buildkitdMetrics, protocol: "TCP" },
              ],
              resources: resources(pool),
              // Rootless BuildKit as upstream runs it on Kubernetes; each relaxation is in docs/kubernetes-pool.md.
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 1000,
                runAsGroup: 1000,
                privileged: false,
                allowPrivilegeEscalation: true,
                capabilities: { drop: ["ALL"], add: ["SETUID", "SETGID"] },
                seccompProfile: { type: "Unconfined" },
                appArmorProfile: { type: "Unconfined" },
              },
              startupProbe: { ...workers, periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 },
              livenessProbe: { ...workers, periodSeconds: 30, failureThreshold: 4, timeoutSeconds: 10 },
              readinessProbe: { exec: { command: ["/bin/sh", `${POD_PATHS.scriptsDir}/buildkit-ready.sh`] }, periodSeconds: 5, failureThreshold: 1, timeoutSeconds: 5 },
              lifecycle: { preStop: { exec: { command: ["/bin/sh", `${POD_PATHS.scriptsDir}/buildkit-drain.sh`] } } },
              volumeMounts: [
                { name: "state", mountPath: POD_PATHS.stateDir },
                { name: "config", mountPath: `${POD_PATHS.configDir}/buildkitd.toml`, subPath: "buildkitd.toml", readOnly: true },
                { name: "scripts", mountPath: POD_PATHS.scriptsDir, readOnly: true },
                { name: "tls", mountPath: POD_PATHS.tlsDir, readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: "buildkitd-config" } },
            { name: "scripts", configMap: { name: "buildkitd-config", items: [{ key: "buildkit-drain.sh", path: "buildkit-drain.sh" }, { key: "buildkit-ready.sh", path: "buildkit-ready.sh" }], defaultMode: 0o555 } },
            { name: "tls", secret: { secretName: "buildkitd-tls", defaultMode: 0o440 } },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "state" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(pool.storage.className === undefined ? {} : { storageClassName: pool.storage.className }),
            resources: { requests: { storage: pool.storage.size } },
          },
        },
      ],
    },
  };
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "buildkitd-config", namespace: ns, labels: { ...names.builderLabels } }, data },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: names.headless, namespace: ns, labels: { ...names.builderLabels } },
      spec: {
        clusterIP: "None",
        // Only ready pods resolve: a draining pod (readiness failing) drops out of the front's DNS.
        publishNotReadyAddresses: false,
        selector: { ...names.builderLabels },
        ports: [
          { name: "buildkitd", port: POOL_PORTS.buildkitd, targetPort: POOL_PORTS.buildkitd, protocol: "TCP" },
          { name: "metrics", port: POOL_PORTS.buildkitdMetrics, targetPort: POOL_PORTS.buildkitdMetrics, protocol: "TCP" },
        ],
      },
    },
    statefulSet,
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: names.builders, namespace: ns, labels: { ...names.builderLabels } },
      spec: { maxUnavailable: 1, selector: { matchLabels: { ...names.builderLabels } } },
    },
  ];
}
