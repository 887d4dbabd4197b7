import { kubernetesPoolSchema, type KubernetesPoolInput, type KubernetesPoolSettings } from "../../../components/kubernetes-pool";

/** Test images: digest-shaped references (not real digests; nothing here pulls them). */
export const TEST_IMAGES = {
  buildkitd: `docker.io/moby/buildkit:v0.32.2-rootless@sha256:${"a".repeat(64)}`,
  haproxy: `docker.io/library/haproxy:3.2.4@sha256:${"b".repeat(64)}`,
};

export function poolInput(overrides: Partial<KubernetesPoolInput> = {}): KubernetesPoolInput {
  return { name: "ci", images: TEST_IMAGES, front: {}, replicas: { min: 2, max: 6 }, storage: { size: "100Gi", className: "fast" }, ...overrides };
}

export function pool(overrides: Partial<KubernetesPoolInput> = {}): KubernetesPoolSettings {
  return kubernetesPoolSchema.parse(poolInput(overrides));
}
