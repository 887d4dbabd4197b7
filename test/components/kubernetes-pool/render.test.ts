import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { ConfigMap, LimitRange, Namespace, ResourceQuota, Secret, Service } from "kubernetes-models/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { PriorityClass } from "kubernetes-models/scheduling.k8s.io/v1";
import { parse as parseToml } from "smol-toml";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { renderFrontHaproxyCfg, renderPoolArtifacts, renderPoolObjects, renderTlsSecret, type KubeObject } from "../../../components/kubernetes-pool";
import { pool } from "./fixtures";

const MODELS: Record<string, new (data: never) => unknown> = {
  Namespace, ResourceQuota, LimitRange, ConfigMap, Secret, Service, StatefulSet, Deployment, NetworkPolicy, PodDisruptionBudget, PriorityClass, ScaledObject,
};

function validate(object: KubeObject): void {
  const Model = MODELS[object.kind];
  if (Model === undefined) throw new Error(`no schema model for ${object.kind}`);
  // Each model checks its data against the Kubernetes OpenAPI / KEDA CRD schema and throws on a mismatch.
  (new Model(object as never) as { validate(): void }).validate();
}

function byKind(objects: KubeObject[], kind: string, name?: string): any {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found === undefined) throw new Error(`no ${kind} ${name ?? ""}`);
  return found;
}

describe("KubernetesPool objects", () => {
  const settings = pool();
  const objects = [...renderPoolObjects(settings), renderTlsSecret(settings, { caCertPem: "ca", serverCertPem: "cert", serverKeyPem: "key" }) as KubeObject];

  it.each(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))("%s passes the Kubernetes / KEDA schema", (_label, object) => {
    expect(() => validate(object)).not.toThrow();
  });

  it("the schema check can fail: a StatefulSet with a string replica count is refused", () => {
    const broken = structuredClone(byKind(objects, "StatefulSet"));
    broken.spec.replicas = "two";
    expect(() => validate(broken)).toThrow();
    const brokenScaler = structuredClone(byKind(objects, "ScaledObject"));
    delete brokenScaler.spec.scaleTargetRef;
    expect(() => validate(brokenScaler)).toThrow();
  });

  it("runs rootless buildkitd as a Parallel StatefulSet with a PVC per replica from config", () => {
    const sts = byKind(objects, "StatefulSet");
    expect(sts.spec.podManagementPolicy).toBe("Parallel");
    expect(sts.spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, partition: 0 } });
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ["ReadWriteOnce"], storageClassName: "fast", resources: { requests: { storage: "100Gi" } } });
    const container = sts.spec.template.spec.containers[0];
    expect(container.image).toMatch(/^docker\.io\/moby\/buildkit:v0\.32\.2-rootless@sha256:[a-f0-9]{64}$/);
    expect(container.resources.limits).toEqual({ cpu: "4", memory: "8Gi", "ephemeral-storage": "20Gi" });
    expect(container.env).toContainEqual({ name: "GOMAXPROCS", value: "4" });
    expect(sts.spec.template.spec.priorityClassName).toBe("buildfarm-pool-ci");
  });

  it("drains in preStop, bounded by terminationGracePeriodSeconds, and readiness fails while draining", () => {
    const spec = byKind(objects, "StatefulSet").spec.template.spec;
    const container = spec.containers[0];
    expect(spec.terminationGracePeriodSeconds).toBe(3600);
    expect(container.lifecycle.preStop.exec.command).toEqual(["/bin/sh", "/etc/buildkit/scripts/buildkit-drain.sh"]);
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(Number(env.GRACE_SECONDS)).toBeLessThan(3600);
    expect(env.DRAIN_FLAG_FILE).toBe("/tmp/buildkit-drain");
    expect(container.readinessProbe.exec.command).toEqual(["/bin/sh", "/etc/buildkit/scripts/buildkit-ready.sh"]);
    const config = byKind(objects, "ConfigMap", "buildkitd-config");
    expect(config.data["buildkit-ready.sh"]).toContain('if [ -e "${DRAIN_FLAG_FILE:-/tmp/buildkit-drain}" ]');
    expect(config.data["buildkit-drain.sh"]).toContain("debug histories");
    expect(byKind(objects, "PodDisruptionBudget", "buildkitd").spec.maxUnavailable).toBe(1);
    expect(byKind(objects, "Service", "buildkitd").spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: false });
  });

  it("sizes GC from the PVC in buildkitd.toml from the hosts' renderer", () => {
    const toml = parseToml(byKind(objects, "ConfigMap", "buildkitd-config").data["buildkitd.toml"]) as any;
    expect(toml.worker.oci.maxUsedSpace).toBe(Math.floor(100 * 1024 ** 3 * 0.8));
    expect(toml.worker.oci.reservedSpace).toBe(10_000_000_000);
    expect(toml.worker.oci.rootless).toBe(true);
    expect(toml.grpc.address).toEqual(["unix:///run/user/1000/buildkit/buildkitd.sock", "tcp://0.0.0.0:1234"]);
    expect(toml.grpc.tls).toEqual({ ca: "/etc/buildkit/tls/ca.pem", cert: "/etc/buildkit/tls/server.pem", key: "/etc/buildkit/tls/server-key.pem" });
  });

  it("changes the config checksum annotation when the config changes, and only then", () => {
    const checksum = (s: ReturnType<typeof pool>) => byKind(renderPoolObjects(s), "StatefulSet").spec.template.metadata.annotations["buildfarm.dev/config-checksum"];
    expect(checksum(pool())).toBe(checksum(pool()));
    expect(checksum(pool({ storage: { size: "200Gi" } }))).not.toBe(checksum(pool()));
  });

  it("lets only the front and Prometheus reach buildkitd", () => {
    const policy = byKind(objects, "NetworkPolicy", "buildkitd");
    expect(policy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: byKind(objects, "Deployment").spec.selector.matchLabels } }], ports: [{ protocol: "TCP", port: 1234 }] },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 6060 }] },
    ]);
    expect(byKind(objects, "NetworkPolicy", "default-deny").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  it("sizes the quota for max replicas plus the front, and preempts batch but not system pods", () => {
    const hard = byKind(objects, "ResourceQuota").spec.hard;
    expect(hard["limits.cpu"]).toBe(String(6 * 4 + 2 * 1));
    expect(hard.persistentvolumeclaims).toBe("6");
    expect(hard["requests.storage"]).toBe("600Gi");
    const priority = byKind(objects, "PriorityClass");
    expect(priority.value).toBeGreaterThan(0);
    expect(priority.value).toBeLessThan(1_000_000_000);
    expect(priority.globalDefault).toBe(false);
  });

  it("writes the manifests as YAML with the Secret's values redacted", () => {
    const [artifact] = renderPoolArtifacts(settings);
    expect(artifact?.path).toBe("kubernetes/ci/manifests.yaml");
    const docs = parseAllDocuments(artifact?.content as string).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toContain("ScaledObject");
    expect(byKind(docs, "Secret").stringData["server-key.pem"]).toBe("<redacted: Pulumi secret>");
  });
});

describe("the pool front", () => {
  it("haproxy -c accepts the rendered haproxy.cfg", () => {
    const dir = mkdtempSync(join(tmpdir(), "k8s-front-"));
    try {
      const cfg = join(dir, "haproxy.cfg");
      writeFileSync(cfg, renderFrontHaproxyCfg(pool()));
      const result = spawnSync("haproxy", ["-c", "-f", cfg], { encoding: "utf8", timeout: 20_000 });
      expect(result.status, result.stdout + result.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has one server slot per possible replica with maxconn = build slots, from the headless Service's DNS", () => {
    expect(renderFrontHaproxyCfg(pool())).toContain("server-template builder 1-6 buildkitd.buildkit-ci.svc.cluster.local:1234 check resolvers kube init-addr none maxconn 4");
  });
});
