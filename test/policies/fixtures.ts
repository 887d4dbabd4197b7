/**
 * Self-contained, compliant resources in the shape `npm run plan` writes (type, name, parent, props).
 * Each failing case changes one field of these; nothing here depends on the components' code.
 */
import type { PlanResource } from "../../policies/offline";
import { BUILDKIT_VERSION } from "../../lib/versions";

export type Resource = PlanResource & { readonly props: Record<string, unknown> };

/** A deep copy of `resource` with `path` set to `value` (or deleted when value is `undefined`). */
export function mutate(resource: Resource, path: Array<string | number>, value: unknown): Resource {
  const copy = structuredClone(resource) as Resource;
  let target: Record<string | number, unknown> = copy.props as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    if (target[key] === undefined || target[key] === null) target[key] = typeof key === "number" ? [] : {};
    target = target[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(target) && typeof last === "number") target.splice(last, 1);
    else delete target[last];
  } else target[last] = value;
  return copy;
}

export function resource(type: string, name: string, props: Record<string, unknown>, parent: string | null = null): Resource {
  return { type, name, parent, props };
}

// ---------------------------------------------------------------- BuildkitHost

export const BUILDKITD_TOML = `# Managed by the buildfarm Pulumi program (BuildkitHost).
root = "/var/lib/buildkit"
insecure-entitlements = []

[log]
format = "json"
level = "info"

[grpc]
address = [ "unix:///run/buildkit/buildkitd.sock", "tcp://0.0.0.0:1234" ]
debugAddress = "127.0.0.1:6060"

[grpc.tls]
ca = "/etc/buildkit/tls/ca.pem"
cert = "/etc/buildkit/tls/server.pem"
key = "/etc/buildkit/tls/server-key.pem"

[worker.oci]
enabled = true
rootless = true
noProcessSandbox = false
max-parallelism = 4

[[worker.oci.gcpolicy]]
all = true
keepDuration = 172800

[worker.containerd]
enabled = false

[registry."docker.io"]
mirrors = [ "mirror.gcr.io" ]
`;

export const BUILDKIT_SERVICE = `[Unit]
Description=BuildKit daemon
[Service]
Type=notify
ExecStart=/usr/local/bin/buildkitd --config /etc/buildkit/buildkitd.toml --addr fd:// --addr tcp://0.0.0.0:1234
Restart=on-failure
`;

export const BUILDKIT_LIMITS_DROP_IN = `[Service]
CPUQuota=800%
CPUWeight=100
MemoryHigh=28G
MemoryMax=32G
IOWeight=100
TasksMax=8192
LimitNOFILE=1048576
IPAddressAllow=localhost 10.30.5.0/24
IPAddressDeny=any
`;

export const EXPORTER_SERVICE = `[Unit]
Description=BuildKit build-insights exporter
[Service]
Type=simple
ExecStart=/usr/bin/node /opt/buildfarm/exporter.js
CPUQuota=50%
MemoryMax=256M
IOWeight=50
TasksMax=64
`;

export const VERIFY_SERVICE = `[Unit]
Description=Verify BuildKit
[Service]
Type=oneshot
ExecStart=/usr/local/libexec/buildfarm/verify.sh
`;

export function buildkitHost(name = "prod-builder-1", environment: "dev" | "prod" = "prod"): Resource {
  return resource("buildfarm:index:BuildkitHost", name, {
    host: name,
    role: environment === "prod" ? "prod" : "shared",
    environment,
    version: BUILDKIT_VERSION,
    settings: {
      name,
      connection: { type: "ssh", host: `${name}.internal`, port: 22, user: "buildkit-admin", useAgent: false },
      role: environment === "prod" ? "prod" : "shared",
      allowedNetworks: ["10.30.5.0/24"],
      buildkitd: {
        worker: { type: "oci", rootless: true, noProcessSandbox: false, maxParallelism: 4 },
        grpc: { tcpAddress: "tcp://0.0.0.0:1234", debugAddress: "127.0.0.1:6060", socketGroup: "buildkit" },
        tls: { mode: "generate", serverNames: [], validityHours: 8760 },
        insecureEntitlements: [],
      },
      resources: { cpuQuota: "800%", memoryMax: "32GiB", ioWeight: 100, tasksMax: 8192 },
    },
    buildkitdToml: BUILDKITD_TOML,
    units: {
      "buildkit.service": BUILDKIT_SERVICE,
      "buildkit.service.d/limits.conf": BUILDKIT_LIMITS_DROP_IN,
      "buildkit.socket": "[Socket]\nListenStream=%t/buildkit/buildkitd.sock\nSocketMode=0660\n",
      "buildkit-exporter.service": EXPORTER_SERVICE,
      "buildkit-verify.service": VERIFY_SERVICE,
    },
  });
}

// ---------------------------------------------------------------- Docker

export function dockerContainer(name = "dev-minio-container", overrides: Record<string, unknown> = {}): Resource {
  return resource("docker:index/container:Container", name, {
    name: name.replace(/-container$/, ""),
    image: "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z",
    memory: 1024,
    memorySwap: 1024,
    cpus: "1.00",
    securityOpts: ["no-new-privileges:true"],
    volumes: [{ volumeName: "buildfarm-minio-data", containerPath: "/data", readOnly: false }],
    ...overrides,
  });
}

// ---------------------------------------------------------------- S3 and IAM

const TLS_ONLY = (bucket: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });

/** A bucket with every side resource S3 policies expect, under a component of `componentType`. */
export function bucketSet(prefix: string, bucket: string, componentType: string): Resource[] {
  const component = resource(componentType, `${prefix}`, {});
  return [
    component,
    resource("aws:s3/bucket:Bucket", `${prefix}-bucket`, { bucket, forceDestroy: false, ...(componentType.endsWith("ProductionBuilder") ? { objectLockEnabled: true } : {}) }, prefix),
    resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${prefix}-sse`, { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] }, prefix),
    resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${prefix}-pab`, { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, prefix),
    resource("aws:s3/bucketPolicy:BucketPolicy", `${prefix}-policy`, { bucket, policy: TLS_ONLY(bucket) }, prefix),
  ];
}

export function cacheBucketSet(): Resource[] {
  return [
    ...bucketSet("cache", "acme-buildkit-cache", "buildfarm:index:DistributedCache"),
    resource(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "cache-lifecycle",
      { bucket: "acme-buildkit-cache", rules: [{ id: "expire-cache", status: "Enabled", filter: { prefix: "buildkit-cache/" }, expiration: { days: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }] },
      "cache",
    ),
  ];
}

export function auditBucketSet(): Resource[] {
  return [
    ...bucketSet("audit", "acme-build-audit", "buildfarm:index:ProductionBuilder"),
    resource("aws:s3/bucketVersioning:BucketVersioning", "audit-versioning", { bucket: "acme-build-audit", versioningConfiguration: { status: "Enabled" } }, "audit"),
    resource("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "audit-lock", { bucket: "acme-build-audit", objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 400 } } }, "audit"),
  ];
}

export function iamPolicy(name: string, actions: string[]): Resource {
  return resource("aws:iam/policy:Policy", name, {
    name,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "List", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket"], Resource: "arn:aws:s3:::acme-buildkit-cache" },
        { Sid: "Objects", Effect: "Allow", Action: actions, Resource: "arn:aws:s3:::acme-buildkit-cache/buildkit-cache/*" },
      ],
    }),
  });
}

// ---------------------------------------------------------------- Grafana and stack

export function dashboard(name = "build-overview", overrides: Record<string, unknown> = {}): Resource {
  return resource("grafana:oss/dashboard:Dashboard", name, {
    configJson: JSON.stringify({ uid: "buildfarm-build-overview", title: "BuildKit: build overview", panels: [] }),
    folder: "buildfarm",
    overwrite: true,
    ...overrides,
  });
}

export function prodComponents(): Resource[] {
  return [
    resource("buildfarm:index:ProductionBuilder", "prod-builder", { environment: "prod" }),
    resource("buildfarm:index:MonitoringStack", "monitoring", { environment: "prod", alerting: { via: "alertmanager", webhookUrl: "https://alerts.internal/hooks/buildfarm" } }),
  ];
}
