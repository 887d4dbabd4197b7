import type { KubernetesPoolSettings } from "./args";

/** Ports inside the pool. */
export const POOL_PORTS = { buildkitd: 1234, buildkitdMetrics: 6060, frontMetrics: 8405 } as const;

/** Paths inside the buildkitd container (the rootless image runs as uid 1000, home /home/user). */
export const POD_PATHS = {
  unixSocket: "unix:///run/user/1000/buildkit/buildkitd.sock",
  configDir: "/etc/buildkit",
  tlsDir: "/etc/buildkit/tls",
  scriptsDir: "/etc/buildkit/scripts",
  stateDir: "/home/user/.local/share/buildkit",
  drainFlag: "/tmp/buildkit-drain",
} as const;

/** The HAProxy backend the front sends builds to (the `proxy` label of its metrics). */
export const FRONT_BACKEND = "buildkitd";

export interface PoolNames {
  readonly namespace: string;
  readonly builders: string;
  readonly headless: string;
  readonly front: string;
  readonly priorityClass: string;
  readonly builderLabels: Readonly<Record<string, string>>;
  readonly frontLabels: Readonly<Record<string, string>>;
}

export function poolNames(pool: KubernetesPoolSettings): PoolNames {
  const common = { "app.kubernetes.io/part-of": "buildfarm", "buildfarm.dev/pool": pool.name };
  return {
    namespace: pool.namespace ?? `buildkit-${pool.name}`,
    builders: "buildkitd",
    headless: "buildkitd",
    front: "pool-front",
    priorityClass: `buildfarm-pool-${pool.name}`,
    builderLabels: { ...common, "app.kubernetes.io/name": "buildkitd", "app.kubernetes.io/component": "builder" },
    frontLabels: { ...common, "app.kubernetes.io/name": "haproxy", "app.kubernetes.io/component": "pool-front" },
  };
}

/** A Kubernetes object as the renderers produce it (plain data; validated by kubernetes-models in tests). */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}
