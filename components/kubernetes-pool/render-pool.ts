import { stringify } from "yaml";
import type { Artifact } from "../../lib/artifacts";
import type { KubernetesPoolSettings } from "./args";
import type { KubeObject } from "./names";
import { renderScaledObject } from "./render-autoscaling";
import { renderBuilderObjects, renderTlsSecret } from "./render-builders";
import { renderFrontObjects } from "./render-front";
import { renderNamespaceObjects } from "./render-namespace";

/** Every object of a pool except the TLS Secret, in apply order (namespace and guards first). */
export function renderPoolObjects(pool: KubernetesPoolSettings): KubeObject[] {
  return [...renderNamespaceObjects(pool), ...renderBuilderObjects(pool), ...renderFrontObjects(pool), renderScaledObject(pool)];
}

const REDACTED = "<redacted: Pulumi secret>";

/** The rendered manifests as one multi-document YAML file per pool (the Secret's values redacted). */
export function renderPoolArtifacts(pool: KubernetesPoolSettings): Artifact[] {
  const objects = [...renderPoolObjects(pool), renderTlsSecret(pool, { caCertPem: REDACTED, serverCertPem: REDACTED, serverKeyPem: REDACTED })];
  const content = objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
  return [{ path: `kubernetes/${pool.name}/manifests.yaml`, content }];
}
