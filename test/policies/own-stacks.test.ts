/**
 * Our own stacks, evaluated as `npm run plan` does: both are clean, and every hardening-relevant
 * property of every prod (and dev) resource, when broken, is caught by the pack.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { countMandatory, type Violation } from "../../policies/offline";
import { runPolicies } from "../../scripts/policy";
import { runStack } from "../../lib/plan/run-stack";
import { readStackFile } from "../../lib/plan/stack-file";
import { mutate, type Resource } from "./fixtures";

type Stack = "dev" | "prod";

interface Mutation {
  readonly type: string;
  /** What breaks, e.g. "allows security.insecure". */
  readonly change: string;
  readonly applies?: (resource: Resource) => boolean;
  /** Returns the whole stack with this resource broken (or removed). */
  readonly apply: (resource: Resource, stack: Resource[]) => Resource[];
}

const replace = (stack: Resource[], target: Resource, next: Resource | undefined): Resource[] =>
  stack.flatMap((r) => (r === target ? (next ? [next] : []) : [r]));
const set = (path: Array<string | number>, value: unknown) => (r: Resource, stack: Resource[]) => replace(stack, r, mutate(r, path, value));
const at = (value: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), value);

/** Rewrites every unit text of a component. */
const editUnits = (edit: (text: string) => string) => (r: Resource, stack: Resource[]) => {
  const units = (r.props["units"] ?? {}) as Record<string, string>;
  return replace(stack, r, mutate(r, ["units"], Object.fromEntries(Object.entries(units).map(([f, t]) => [f, edit(t)]))));
};

/** Adds an Allow statement to an IAM policy document. */
const grant = (action: string) => (r: Resource, stack: Resource[]) => {
  const document = JSON.parse(String(r.props["policy"])) as { Statement: unknown[] };
  document.Statement.push({ Effect: "Allow", Action: action, Resource: "*" });
  return replace(stack, r, mutate(r, ["policy"], JSON.stringify(document)));
};

/** Deletes alert-route keys anywhere in a value. */
function withoutRoutes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRoutes);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !["webhookUrl", "slackChannel", "receivers", "routes", "alertRoutes", "hasRoute"].includes(k)).map(([k, v]) => [k, withoutRoutes(v)]));
}

const MUTATIONS: Mutation[] = [
  { type: "buildfarm:index:BuildkitHost", change: "allows security.insecure", applies: (r) => r.props["environment"] === "prod", apply: set(["settings", "buildkitd", "insecureEntitlements"], ["security.insecure"]) },
  { type: "buildfarm:index:BuildkitHost", change: "turns the process sandbox off", applies: (r) => r.props["environment"] === "prod", apply: set(["settings", "buildkitd", "worker", "noProcessSandbox"], true) },
  { type: "buildfarm:index:BuildkitHost", change: "serves TCP without TLS", applies: (r) => at(r.props, "settings", "buildkitd", "grpc", "tcpAddress") !== undefined, apply: set(["settings", "buildkitd", "tls", "mode"], "none") },
  { type: "buildfarm:index:BuildkitHost", change: "drifts from the pinned version", applies: (r) => r.props["environment"] === "prod", apply: set(["version"], "v0.31.0") },
  { type: "buildfarm:index:BuildkitHost", change: "loses MemoryMax", apply: editUnits((t) => t.replace(/^MemoryMax=.*$/gm, "")) },
  {
    type: "buildfarm:index:BuildkitHost",
    change: "opens the metrics port to everyone",
    apply: (r, s) => replace(s, r, mutate(mutate(r, ["settings", "buildkitd", "grpc", "debugAddress"], "0.0.0.0:6060"), ["settings", "allowedNetworks"], ["any"])),
  },
  { type: "buildfarm:index:ProductionBuilder", change: "is removed", apply: (r, s) => replace(s, r, undefined) },
  { type: "buildfarm:index:MonitoringStack", change: "is removed", applies: (r) => r.props["environment"] === "prod", apply: (r, s) => replace(s, r, undefined) },
  {
    type: "buildfarm:index:MonitoringStack",
    change: "routes alerts nowhere",
    applies: (r) => r.props["environment"] === "prod",
    apply: (r, s) => replace(s, r, { ...r, props: withoutRoutes(r.props) as Record<string, unknown> }).filter((x) => !x.type.startsWith("grafana:alerting/contactPoint") && !x.type.startsWith("grafana:alerting/notificationPolicy")),
  },
  { type: "aws:s3/bucket:Bucket", change: "gets a public-read ACL", apply: set(["acl"], "public-read") },
  { type: "aws:s3/bucket:Bucket", change: "loses Object Lock", applies: (r) => r.props["objectLockEnabled"] === true, apply: set(["objectLockEnabled"], false) },
  { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", change: "has no rules", apply: set(["rules"], []) },
  { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", change: "allows public policies", apply: set(["blockPublicPolicy"], false) },
  { type: "aws:s3/bucketPolicy:BucketPolicy", change: "no longer denies plain HTTP", apply: set(["policy"], JSON.stringify({ Version: "2012-10-17", Statement: [] })) },
  {
    type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    change: "disables its expiry rules",
    applies: (r) => ((r.props["rules"] ?? []) as unknown[]).some((rule) => at(rule, "expiration", "days") !== undefined),
    apply: (r, s) => replace(s, r, mutate(r, ["rules"], ((r.props["rules"] ?? []) as Array<Record<string, unknown>>).map((rule) => ({ ...rule, status: "Disabled" })))),
  },
  { type: "aws:s3/bucketVersioning:BucketVersioning", change: "suspends versioning", applies: (r) => at(r.props, "versioningConfiguration", "status") === "Enabled", apply: set(["versioningConfiguration", "status"], "Suspended") },
  { type: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", change: "has no default retention", apply: set(["rule"], undefined) },
  { type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls", change: "re-enables ACLs", apply: set(["rule", "objectOwnership"], "ObjectWriter") },
  { type: "aws:iam/policy:Policy", change: "grants s3:DeleteObject", apply: grant("s3:DeleteObject") },
  { type: "aws:iam/policy:Policy", change: "grants a reader s3:PutObject", applies: (r) => /reader|readonly/.test(r.name), apply: grant("s3:PutObject") },
  { type: "docker:index/container:Container", change: "runs privileged", apply: set(["privileged"], true) },
  { type: "docker:index/container:Container", change: "has no memory limit", apply: set(["memory"], undefined) },
  { type: "docker:index/container:Container", change: "mounts the Docker socket", apply: set(["volumes"], [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }]) },
  { type: "docker:index/container:Container", change: "runs an unpinned image", apply: set(["image"], "alpine:latest") },
  {
    type: "docker:index/container:Container",
    change: "turns seccomp off (or, if it already may, runs as root)",
    apply: (r, s) => replace(s, r, ((r.props["securityOpts"] ?? []) as string[]).includes("seccomp=unconfined") ? mutate(r, ["user"], "root") : mutate(r, ["securityOpts"], [...((r.props["securityOpts"] ?? []) as string[]), "seccomp=unconfined"])),
  },
  { type: "docker:index/remoteImage:RemoteImage", change: "pulls :latest", apply: set(["name"], "alpine:latest") },
  // Kubernetes pools (components/kubernetes-pool): the rootless exception must stay exactly as wide as documented.
  ...([
    ["runs privileged", ["securityContext", "privileged"], true],
    ["runs as root", ["securityContext", "runAsUser"], 0],
    ["adds SYS_ADMIN", ["securityContext", "capabilities", "add"], ["SETUID", "SETGID", "SYS_ADMIN"]],
    ["has no limits", ["resources", "limits"], undefined],
    ["runs an unpinned image", ["image"], "docker.io/moby/buildkit:rootless"],
  ] as const).map(([change, path, value]): Mutation => ({ type: "kubernetes:apps/v1:StatefulSet", change, apply: set(["spec", "template", "spec", "containers", 0, ...path], value) })),
  { type: "kubernetes:apps/v1:StatefulSet", change: "mounts a hostPath", apply: set(["spec", "template", "spec", "volumes", 0], { name: "host", hostPath: { path: "/" } }) },
  { type: "kubernetes:apps/v1:Deployment", change: "may escalate privileges", apply: set(["spec", "template", "spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"], true) },
  { type: "kubernetes:apps/v1:Deployment", change: "has no limits", apply: set(["spec", "template", "spec", "containers", 0, "resources", "limits"], undefined) },
  { type: "kubernetes:policy/v1:PodDisruptionBudget", change: "is removed with the pool's other budgets", apply: (_r, s) => s.filter((x) => x.type !== "kubernetes:policy/v1:PodDisruptionBudget") },
  { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", change: "is removed with the namespace's other policies", apply: (_r, s) => s.filter((x) => x.type !== "kubernetes:networking.k8s.io/v1:NetworkPolicy") },
  { type: "kubernetes:core/v1:ResourceQuota", change: "is removed", apply: (r, s) => replace(s, r, undefined) },
  { type: "grafana:oss/dashboard:Dashboard", change: "loses its uid", apply: (r, s) => replace(s, r, mutate(r, ["configJson"], JSON.stringify({ ...(JSON.parse(String(r.props["configJson"])) as object), uid: undefined }))) },
  { type: "grafana:oss/dashboard:Dashboard", change: "leaves its folder", apply: set(["folder"], undefined) },
];

/** Resources without a property the pack governs, and why. */
const NOT_HARDENING: Record<string, string> = {
  "buildfarm:index:MonitoringStack": "dev monitoring: alert routes are required in prod only (prod monitoring is mutated)",
  "buildfarm:index:DistributedCache": "a component: its bucket, side resources and IAM policies are mutated instead",
  "buildfarm:index:DockerService": "a component: its container and image are mutated instead",
  "buildfarm:index:BuilderTls": "a component holding generated certificates; TLS use is checked on the listener",
  "buildfarm:index:PluginSet": "Docker CLI plugin inventory and repair; nothing the pack governs",
  "command:remote:Command": "runs the host's rendered scripts; the config and units they install are checked on BuildkitHost",
  "command:remote:CopyToRemote": "copies the host's rendered files; they are checked on BuildkitHost",
  "command:local:Command": "runs rendered scripts locally; nothing the pack governs",
  "tls:index/privateKey:PrivateKey": "generated key material",
  "tls:index/certRequest:CertRequest": "generated key material",
  "tls:index/locallySignedCert:LocallySignedCert": "generated key material",
  "tls:index/selfSignedCert:SelfSignedCert": "generated key material",
  "random:index/randomPassword:RandomPassword": "generated secret",
  "random:index/randomString:RandomString": "generated name",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "attaches a policy whose document is checked",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": "attaches a policy whose document is checked",
  "aws:iam/user:User": "an identity; its permissions are the attached, checked policies",
  "aws:iam/accessKey:AccessKey": "a secret credential",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "alerting plumbing",
  "aws:sns/topic:Topic": "alerting plumbing",
  "aws:s3/bucketMetric:BucketMetric": "request metrics",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "an audit bucket's transition-only rules (no expiry to break)",
  "aws:s3/bucketVersioning:BucketVersioning": "the cache bucket's versioning, off by design",
  "docker:index/volume:Volume": "named storage",
  "docker:index/network:Network": "a private bridge network",
  "pulumi:providers:aws": "a provider",
  "pulumi:providers:docker": "a provider",
  "pulumi:providers:grafana": "a provider",
  "grafana:oss/folder:Folder": "a folder",
  "buildfarm:index:KubernetesPool": "a component: its Kubernetes objects are mutated instead",
  "pulumi:providers:kubernetes": "a provider",
  "kubernetes:core/v1:Namespace": "a namespace; its guards (quota, network policies) are mutated",
  "kubernetes:core/v1:ConfigMap": "rendered buildkitd.toml / haproxy.cfg and scripts; the workloads using them are mutated",
  "kubernetes:core/v1:Secret": "TLS material",
  "kubernetes:core/v1:Service": "a Service; reachability is governed by the NetworkPolicies",
  "kubernetes:core/v1:LimitRange": "defaults only; every container sets its own limits (mutated on the workloads)",
  "kubernetes:scheduling.k8s.io/v1:PriorityClass": "scheduling priority; nothing the pack governs",
  "kubernetes:keda.sh/v1alpha1:ScaledObject": "autoscaling; nothing the pack governs",
  "grafana:oss/dataSource:DataSource": "a data source",
};

/** Types each stack must have mutated, so an exemption can never hide them. */
const MUST_MUTATE: Record<Stack, string[]> = {
  prod: ["buildfarm:index:BuildkitHost", "buildfarm:index:ProductionBuilder", "buildfarm:index:MonitoringStack", "aws:s3/bucket:Bucket", "aws:iam/policy:Policy", "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"],
  dev: ["docker:index/container:Container", "docker:index/remoteImage:RemoteImage"],
};

const runs = new Map<Stack, { resources: Resource[]; violations: Violation[] }>();

async function evaluate(stack: Stack, resources: Resource[]): Promise<Violation[]> {
  return (await runPolicies(resources, { stack })).violations;
}

beforeAll(async () => {
  for (const stack of ["prod", "dev"] as const) {
    const run = await runStack({ stack, ...readStackFile(stack) });
    const resources = run.resources as Resource[];
    runs.set(stack, { resources, violations: await evaluate(stack, resources) });
  }
}, 120_000);

describe.each(["prod", "dev"] as const)("the %s stack", (stack) => {
  it("has no mandatory violation (plan passes)", () => {
    const { violations } = runs.get(stack)!;
    expect(violations.filter((v) => v.level === "mandatory")).toEqual([]);
    expect(countMandatory(violations)).toBe(0);
  });

  it("has no advisory finding either", () => {
    expect(runs.get(stack)!.violations).toEqual([]);
  });

  it("has a mutation or a stated reason for every resource type", () => {
    const { resources } = runs.get(stack)!;
    const uncovered = resources.filter((r) => !MUTATIONS.some((m) => m.type === r.type && (m.applies?.(r) ?? true)) && !NOT_HARDENING[r.type]);
    expect(uncovered.map((r) => `${r.type} ${r.name}`)).toEqual([]);
  });

  it("catches every hardening mutation of every resource", async () => {
    const { resources, violations } = runs.get(stack)!;
    const before = new Set(violations.map((v) => JSON.stringify(v)));
    const missed: string[] = [];
    let tried = 0;
    const mutatedTypes = new Set<string>();
    for (const resource of resources) {
      for (const mutation of MUTATIONS.filter((m) => m.type === resource.type && (m.applies?.(resource) ?? true))) {
        tried++;
        mutatedTypes.add(resource.type);
        const after = await evaluate(stack, mutation.apply(resource, resources));
        // Dev enforces advisory: a new finding of any level counts as caught there.
        const fresh = after.filter((v) => !before.has(JSON.stringify(v)) && (stack === "dev" || v.level === "mandatory"));
        if (fresh.length === 0) missed.push(`${resource.type} ${resource.name} ${mutation.change}`);
      }
    }
    expect(missed).toEqual([]);
    expect(tried).toBeGreaterThan(stack === "prod" ? 20 : 10);
    expect([...mutatedTypes].sort()).toEqual(expect.arrayContaining(MUST_MUTATE[stack]));
  });
});
