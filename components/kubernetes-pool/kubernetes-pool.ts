import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { Artifact } from "../../lib/artifacts";
import type { KubernetesPoolSettings } from "./args";
import { poolNames, type KubeObject } from "./names";
import { renderTlsSecret, type BuilderTls } from "./render-builders";
import { renderPoolArtifacts, renderPoolObjects } from "./render-pool";

export const KUBERNETES_POOL_TYPE = "buildfarm:index:KubernetesPool";

export interface KubernetesPoolArgs {
  readonly settings: KubernetesPoolSettings;
  /**
   * The pool CA and the builders' server certificate (secrets). @default - a CA and certificate generated
   * with @pulumi/tls for the pool's in-cluster names
   */
  readonly tls?: BuilderTls<pulumi.Input<string>>;
}

type Opts = pulumi.CustomResourceOptions;

/** One typed @pulumi/kubernetes resource per rendered object. */
function createObject(name: string, object: KubeObject, opts: Opts): pulumi.CustomResource {
  const args = object as never;
  switch (object.kind) {
    case "Namespace": return new k8s.core.v1.Namespace(name, args, opts);
    case "ResourceQuota": return new k8s.core.v1.ResourceQuota(name, args, opts);
    case "LimitRange": return new k8s.core.v1.LimitRange(name, args, opts);
    case "PriorityClass": return new k8s.scheduling.v1.PriorityClass(name, args, opts);
    case "NetworkPolicy": return new k8s.networking.v1.NetworkPolicy(name, args, opts);
    case "ConfigMap": return new k8s.core.v1.ConfigMap(name, args, opts);
    case "Secret": return new k8s.core.v1.Secret(name, args, opts);
    case "Service": return new k8s.core.v1.Service(name, args, opts);
    // KEDA owns spec.replicas once the ScaledObject exists.
    case "StatefulSet": return new k8s.apps.v1.StatefulSet(name, args, { ...opts, ignoreChanges: ["spec.replicas"] });
    case "Deployment": return new k8s.apps.v1.Deployment(name, args, opts);
    case "PodDisruptionBudget": return new k8s.policy.v1.PodDisruptionBudget(name, args, opts);
    case "ScaledObject": return new k8s.apiextensions.CustomResource(name, args, opts);
    default: throw new Error(`KubernetesPool: no typed resource for kind ${object.kind}`);
  }
}

/** A pool CA and a server certificate for the front's and every pod's in-cluster names. */
function generatedTls(name: string, settings: KubernetesPoolSettings, parent: pulumi.Resource): BuilderTls<pulumi.Input<string>> {
  const names = poolNames(settings);
  const secretKeys = { parent, additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"] };
  const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, secretKeys);
  const ca = new tls.SelfSignedCert(`${name}-ca`, {
    privateKeyPem: caKey.privateKeyPem,
    isCaCertificate: true,
    validityPeriodHours: 87600,
    subject: { commonName: `buildfarm pool ${settings.name} CA` },
    allowedUses: ["cert_signing", "crl_signing"],
  }, { parent });
  const serverKey = new tls.PrivateKey(`${name}-server-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, secretKeys);
  const svc = (service: string) => [`${service}.${names.namespace}.svc`, `${service}.${names.namespace}.svc.cluster.local`];
  const csr = new tls.CertRequest(`${name}-server-csr`, {
    privateKeyPem: serverKey.privateKeyPem,
    subject: { commonName: `${names.front}.${names.namespace}.svc` },
    dnsNames: [...svc(names.front), ...svc(names.headless), `*.${names.headless}.${names.namespace}.svc`, `*.${names.headless}.${names.namespace}.svc.cluster.local`],
  }, { parent });
  const cert = new tls.LocallySignedCert(`${name}-server-cert`, {
    certRequestPem: csr.certRequestPem,
    caCertPem: ca.certPem,
    caPrivateKeyPem: pulumi.secret(caKey.privateKeyPem),
    validityPeriodHours: 8760,
    earlyRenewalHours: 720,
    allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
  }, { parent });
  return { caCertPem: ca.certPem, serverCertPem: cert.certPem, serverKeyPem: pulumi.secret(serverKey.privateKeyPem) };
}

/** A Kubernetes builder pool: wires the rendered objects into typed resources; no logic of its own. */
export class KubernetesPool extends pulumi.ComponentResource {
  public readonly namespace: string;
  /** Where clients connect: the front's Service. */
  public readonly endpoint: string;
  public readonly caCertPem: pulumi.Output<string>;
  public readonly artifacts: Artifact[];

  constructor(name: string, args: KubernetesPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KUBERNETES_POOL_TYPE, name, {}, opts);
    const { settings } = args;
    const names = poolNames(settings);
    const { kubeconfig, context } = settings.cluster;
    const provider = kubeconfig === undefined && context === undefined
      ? undefined
      : new k8s.Provider(`${name}-cluster`, { kubeconfig: kubeconfig === undefined ? undefined : pulumi.secret(kubeconfig), context }, { parent: this });
    const objectOpts: Opts = { parent: this, provider };

    // Namespace first; workloads only after the namespace's guards (quota, policies, PDBs, config) exist.
    const secret = renderTlsSecret(settings, args.tls ?? generatedTls(name, settings, this));
    const guards: pulumi.CustomResource[] = [];
    const [namespace, ...rest] = renderPoolObjects(settings);
    for (const object of [namespace!, secret as KubeObject, ...rest]) {
      const workload = object.kind === "StatefulSet" || object.kind === "Deployment";
      const dependsOn = workload ? [...guards] : guards.slice(0, 1);
      const resource = createObject(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, { ...objectOpts, dependsOn });
      if (!workload) guards.push(resource);
    }

    this.namespace = names.namespace;
    this.endpoint = `tcp://${names.front}.${names.namespace}.svc:${settings.front?.port ?? 1234}`;
    this.caCertPem = pulumi.output(secret.stringData["ca.pem"]);
    this.artifacts = renderPoolArtifacts(settings);
    this.registerOutputs({ namespace: this.namespace, endpoint: this.endpoint });
  }
}
