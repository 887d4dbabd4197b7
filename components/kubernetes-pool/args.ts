import { z } from "zod";
import { buildkitdSettingsSchema } from "../buildkit-host";
import { resourceNameSchema } from "../common/connection";
import { sizeSchema } from "../../lib/units";

/** Kubernetes quantities as the pool uses them: CPU in cores or millicores, memory/storage in binary units. */
export const cpuQuantitySchema = z.string().regex(/^(\d+(\.\d+)?|\d+m)$/, { error: "expected a CPU quantity like \"2\", \"1.5\" or \"500m\"" });
export const byteQuantitySchema = z.string().regex(/^\d+(Ki|Mi|Gi|Ti)?$/, { error: "expected a quantity like \"8Gi\" or \"512Mi\"" });

/** An image reference pinned by digest; tags alone move. */
export const digestPinnedImageSchema = z.string().regex(/^[a-z0-9./-]+(:[\w.-]+)?@sha256:[a-f0-9]{64}$/, {
  error: "expected an image pinned by digest, like \"docker.io/moby/buildkit:v0.32.2-rootless@sha256:<64 hex>\"",
});

const resourceSetSchema = z.strictObject({
  cpu: cpuQuantitySchema,
  memory: byteQuantitySchema,
  ephemeralStorage: byteQuantitySchema,
});

export const kubernetesPoolSchema = z.strictObject({
  /** Pool name: the namespace, PriorityClass and `pool` metric label derive from it. */
  name: resourceNameSchema,
  /** Namespace the pool owns. @default "buildkit-<name>" */
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "expected a DNS-1123 label" }).optional(),
  /** Cluster access. @default - the ambient kubeconfig and its current context */
  cluster: z
    .strictObject({
      /** Kubeconfig contents or path (a Pulumi secret when contents). @default - ambient */
      kubeconfig: z.string().min(1).optional(),
      /** @default - the kubeconfig's current context */
      context: z.string().min(1).optional(),
    })
    .prefault({}),
  /**
   * Images, each pinned by digest (no verified digest ships in this repository: set the one you
   * verified with `docker buildx imagetools inspect`).
   */
  images: z.strictObject({
    /** The upstream rootless image, e.g. docker.io/moby/buildkit:v0.32.2-rootless@sha256:… */
    buildkitd: digestPinnedImageSchema,
    /** The official HAProxy image for the front, e.g. docker.io/library/haproxy:3.2.4@sha256:… */
    haproxy: digestPinnedImageSchema,
  }),
  replicas: z
    .strictObject({
      /** Warm baseline: pods kept even with an empty queue. @default 1 */
      min: z.number().int().min(0).max(500).default(1),
      /** @default 4 */
      max: z.number().int().min(1).max(500).default(4),
    })
    .prefault({}),
  /** Concurrent builds one buildkitd takes (HAProxy maxconn per server); the scaling unit. @default 4 */
  slotsPerReplica: z.number().int().min(1).max(256).default(4),
  scaling: z
    .strictObject({
      /** Prometheus KEDA queries (in-cluster URL). @default "http://prometheus-operated.monitoring.svc:9090" */
      prometheusUrl: z.url().default("http://prometheus-operated.monitoring.svc:9090"),
      /** @default 30 */
      pollingIntervalSeconds: z.number().int().min(5).max(600).default(30),
      /** A lower desired count must hold this long before pods are removed. @default 600 */
      scaleDownStabilizationSeconds: z.number().int().min(0).max(3600).default(600),
      /** Pods removed per minute at most while scaling down. @default 1 */
      scaleDownPodsPerMinute: z.number().int().min(1).max(100).default(1),
      /** Alert when at max replicas with a queue for this long. @default 10 */
      atMaxWithQueueMinutes: z.number().int().min(1).max(240).default(10),
    })
    .prefault({}),
  resources: z
    .strictObject({
      requests: resourceSetSchema.prefault({ cpu: "2", memory: "4Gi", ephemeralStorage: "10Gi" }),
      limits: resourceSetSchema.prefault({ cpu: "4", memory: "8Gi", ephemeralStorage: "20Gi" }),
    })
    .prefault({}),
  storage: z
    .strictObject({
      /** @default - the cluster's default StorageClass */
      className: z.string().min(1).optional(),
      /** BuildKit state per replica (one PVC each). @default "100Gi" */
      size: byteQuantitySchema.default("100Gi"),
    })
    .prefault({}),
  /** Bounds the preStop drain; a build longer than this is stopped. @default 3600 */
  terminationGracePeriodSeconds: z.number().int().min(30).max(86400).default(3600),
  /** PriorityClass value: above batch work (0..), below system-cluster-critical (2e9). @default 100000 */
  priority: z.number().int().min(1).max(1_000_000_000).default(100_000),
  /** Egress buildkitd may open (registries, cache). @default [{ cidr: "0.0.0.0/0", ports: [443] }] */
  egress: z.array(z.strictObject({ cidr: z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, { error: "expected a CIDR" }), ports: z.array(z.number().int().min(1).max(65535)).min(1) })).default([{ cidr: "0.0.0.0/0", ports: [443] }]),
  /** Who scrapes: namespace label selector for Prometheus. @default { "kubernetes.io/metadata.name": "monitoring" } */
  prometheusNamespaceLabels: z.record(z.string(), z.string()).default({ "kubernetes.io/metadata.name": "monitoring" }),
  /** The pool front (HAProxy). A pool without one is refused. */
  front: z
    .strictObject({
      /** @default 2 */
      replicas: z.number().int().min(1).max(20).default(2),
      /** Port clients reach the front on. @default 1234 */
      port: z.number().int().min(1).max(65535).default(1234),
      /** Namespaces clients connect from (label selector). @default {} (any namespace) */
      clientNamespaceLabels: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
  /** buildkitd settings, rendered by the same renderer as the hosts. GC limits are sized from the PVC. */
  buildkitd: buildkitdSettingsSchema.prefault({}),
  /** GC floor kept for the cache; the PVC must be larger. @default "10GB" */
  gcReservedSpace: sizeSchema.default("10GB"),
});

export type KubernetesPoolSettings = z.output<typeof kubernetesPoolSchema>;
export type KubernetesPoolInput = z.input<typeof kubernetesPoolSchema>;
