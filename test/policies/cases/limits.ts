import { buildkitHost, dockerContainer, mutate, resource, BUILDKIT_LIMITS_DROP_IN, EXPORTER_SERVICE, type Resource } from "../fixtures";
import { builderStatefulSet, exporterDeployment, namespaceGuards } from "../fixtures-k8s";
import type { PolicyCase } from "./types";

const host = buildkitHost();
const sts = builderStatefulSet();
const withoutNamespaceKind = (kind: string): Resource[] => namespaceGuards().filter((r) => r.type !== kind);

export const limitCases: PolicyCase[] = [
  { policy: "buildfarm-host-unit-limits", name: "accepts limits set in a drop-in and inline, and ignores one-shot units", resources: [host], expect: [] },
  {
    policy: "buildfarm-host-unit-limits",
    name: "rejects a buildkitd unit whose drop-in lost MemoryMax and TasksMax",
    resources: [mutate(host, ["units", "buildkit.service.d/limits.conf"], "[Service]\nCPUQuota=800%\nIOWeight=100\nMemoryHigh=28G\n")],
    expect: [["prod-builder-1", "buildkit.service has no memory (MemoryMax), tasks (TasksMax) limit (drop-ins included)"]],
  },
  {
    policy: "buildfarm-host-unit-limits",
    name: "rejects an exporter unit with MemoryMax=infinity and no IO limit",
    resources: [mutate(host, ["units", "buildkit-exporter.service"], EXPORTER_SERVICE.replace("MemoryMax=256M", "MemoryMax=infinity").replace("IOWeight=50\n", ""))],
    expect: [["prod-builder-1", "buildkit-exporter.service has no memory (MemoryMax), IO (IOWeight) limit (drop-ins included)"]],
  },
  {
    policy: "buildfarm-host-unit-limits",
    name: "applies a bare 50-buildkit-limits.conf drop-in to buildkit.service (not to the exporter)",
    resources: [mutate(mutate(host, ["units", "buildkit.service.d/limits.conf"], undefined), ["units", "50-buildkit-limits.conf"], BUILDKIT_LIMITS_DROP_IN)],
    expect: [],
  },
  {
    policy: "buildfarm-host-unit-limits",
    name: "does not count a drop-in that names no service",
    resources: [mutate(mutate(host, ["units", "buildkit.service.d/limits.conf"], undefined), ["units", "50-limits.conf"], BUILDKIT_LIMITS_DROP_IN)],
    expect: [["prod-builder-1", "buildkit.service has no CPU (CPUQuota), memory (MemoryMax), IO (IOWeight), tasks (TasksMax) limit (drop-ins included)"]],
  },
  {
    policy: "buildfarm-host-unit-limits",
    name: "rejects a BuildkitHost that exposes no units",
    resources: [mutate(host, ["units"], undefined)],
    expect: [["prod-builder-1", "the component exposes no service units (`units` prop), so its limits cannot be checked"]],
  },
  { policy: "buildfarm-docker-container-limits", name: "accepts memory and cpus", resources: [dockerContainer()], expect: [] },
  { policy: "buildfarm-docker-container-limits", name: "accepts cpuQuota as the CPU limit", resources: [mutate(mutate(dockerContainer(), ["cpus"], undefined), ["cpuQuota"], 50000)], expect: [] },
  {
    policy: "buildfarm-docker-container-limits",
    name: "rejects a container without memory and CPU limits",
    resources: [mutate(mutate(dockerContainer(), ["memory"], undefined), ["cpus"], undefined)],
    expect: [
      ["dev-minio-container", "dev-minio has no memory limit (set `memory` in MB)"],
      ["dev-minio-container", "dev-minio has no CPU limit (set `cpus` or `cpuQuota`)"],
    ],
  },
  { policy: "buildfarm-k8s-container-resources", name: "accepts requests and limits with ephemeral-storage, init containers included", resources: [sts, exporterDeployment()], expect: [] },
  {
    policy: "buildfarm-k8s-container-resources",
    name: "rejects a container without an ephemeral-storage limit",
    resources: [mutate(sts, ["spec", "template", "spec", "containers", 0, "resources", "limits", "ephemeral-storage"], undefined)],
    expect: [["builders", 'container "buildkitd" has no resources.limits for ephemeral-storage']],
  },
  {
    policy: "buildfarm-k8s-container-resources",
    name: "rejects an init container without requests",
    resources: [mutate(exporterDeployment(), ["spec", "template", "spec", "initContainers", 0, "resources", "requests"], undefined)],
    expect: [["exporter", 'initContainer "wait" has no resources.requests for cpu, memory, ephemeral-storage']],
  },
  { policy: "buildfarm-k8s-namespace-quota", name: "accepts a namespace with a ResourceQuota and a LimitRange", resources: [sts, ...namespaceGuards()], expect: [] },
  {
    policy: "buildfarm-k8s-namespace-quota",
    name: "rejects a build namespace without a ResourceQuota",
    resources: [sts, ...withoutNamespaceKind("kubernetes:core/v1:ResourceQuota")],
    expect: [["builders", 'namespace "builds" runs workloads but has no ResourceQuota']],
  },
  {
    policy: "buildfarm-k8s-namespace-quota",
    name: "rejects a LimitRange that lives in another namespace",
    resources: [sts, ...withoutNamespaceKind("kubernetes:core/v1:LimitRange"), resource("kubernetes:core/v1:LimitRange", "other-limits", { metadata: { namespace: "other" }, spec: {} })],
    expect: [["builders", 'namespace "builds" runs workloads but has no LimitRange']],
  },
];
