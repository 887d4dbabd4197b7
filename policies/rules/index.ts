/**
 * Every policy of the buildfarm pack, in one list. `policies/index.ts` hands this list to
 * `new PolicyPack`; the offline runner (`npm run policy`, `npm run plan`) evaluates the same list.
 * Nothing here constructs a PolicyPack (that starts a gRPC server).
 */
import type { EnforcementLevel } from "@pulumi/policy";
import type { BuildfarmPolicy } from "./lib/policy";
import { forbidInsecureEntitlements } from "./buildkit/forbid-insecure-entitlements";
import { requirePinnedBuildkitVersion } from "./buildkit/require-pinned-buildkit-version";
import { requireProcessSandbox } from "./buildkit/require-process-sandbox";
import { requireTlsOnTcpListener } from "./buildkit/require-tls-on-tcp-listener";
import { restrictDebugAddress } from "./buildkit/restrict-debug-address";
import { forbidDockerSocketMounts } from "./docker/forbid-docker-socket-mounts";
import { forbidPrivilegedContainers } from "./docker/forbid-privileged-containers";
import { requireConfinedContainers } from "./docker/require-confined-containers";
import { requirePinnedDockerImages } from "./docker/require-pinned-docker-images";
import { requireDashboardUidAndFolder } from "./grafana/require-dashboard-uid-and-folder";
import { forbidHostAccess } from "./kubernetes/forbid-host-access";
import { forbidPrivilegeEscalation } from "./kubernetes/forbid-privilege-escalation";
import { requireBuilderPdb } from "./kubernetes/require-builder-pdb";
import { requireDropAllCapabilities } from "./kubernetes/require-drop-all-capabilities";
import { requireNamespaceNetworkPolicy } from "./kubernetes/require-namespace-network-policy";
import { requireNonRoot } from "./kubernetes/require-non-root";
import { requirePinnedK8sImages } from "./kubernetes/require-pinned-images";
import { requireProbes } from "./kubernetes/require-probes";
import { requireSeccompRuntimeDefault } from "./kubernetes/require-seccomp-runtime-default";
import { requireDockerContainerLimits } from "./limits/require-docker-container-limits";
import { requireHostUnitLimits } from "./limits/require-host-unit-limits";
import { requireK8sContainerResources } from "./limits/require-k8s-container-resources";
import { requireK8sNamespaceQuota } from "./limits/require-k8s-namespace-quota";
import { forbidCacheReaderWrites } from "./s3/forbid-cache-reader-writes";
import { forbidDestructiveS3Grants } from "./s3/forbid-destructive-s3-grants";
import { requireAuditObjectLock } from "./s3/require-audit-object-lock";
import { requireBucketEncryption } from "./s3/require-bucket-encryption";
import { requireCacheLifecycleExpiry } from "./s3/require-cache-lifecycle-expiry";
import { requirePublicAccessBlock } from "./s3/require-public-access-block";
import { requireTlsOnlyBucketPolicy } from "./s3/require-tls-only-bucket-policy";
import { requireAlertRoutes } from "./stack/require-alert-routes";
import { requireCompleteProdStack } from "./stack/require-complete-prod-stack";

export type { BuildfarmPolicy, BuildfarmResourcePolicy, BuildfarmStackPolicy } from "./lib/policy";

export const PACK_NAME = "buildfarm";

/**
 * Secure default: every policy is mandatory unless config says otherwise. `policies/config/dev.json`
 * (`{"all": "advisory"}`) relaxes the dev stack; `prod.json` keeps everything mandatory.
 */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

export const PACK_DESCRIPTION = "Resource limits and security hardening for the self-hosted BuildKit build farm.";

export const buildfarmPolicies: readonly BuildfarmPolicy[] = [
  // Resource limits
  requireHostUnitLimits,
  requireDockerContainerLimits,
  requireK8sContainerResources,
  requireK8sNamespaceQuota,
  // BuildKit hardening
  requireTlsOnTcpListener,
  forbidInsecureEntitlements,
  requireProcessSandbox,
  restrictDebugAddress,
  requirePinnedBuildkitVersion,
  // Kubernetes hardening (Pod Security restricted, kube-score, Polaris)
  requireNonRoot,
  forbidPrivilegeEscalation,
  requireDropAllCapabilities,
  requireSeccompRuntimeDefault,
  forbidHostAccess,
  requirePinnedK8sImages,
  requireProbes,
  requireBuilderPdb,
  requireNamespaceNetworkPolicy,
  // S3 and IAM
  requireBucketEncryption,
  requirePublicAccessBlock,
  requireTlsOnlyBucketPolicy,
  requireCacheLifecycleExpiry,
  requireAuditObjectLock,
  forbidCacheReaderWrites,
  forbidDestructiveS3Grants,
  // Docker
  forbidPrivilegedContainers,
  forbidDockerSocketMounts,
  requireConfinedContainers,
  requirePinnedDockerImages,
  // Grafana
  requireDashboardUidAndFolder,
  // Stack
  requireCompleteProdStack,
  requireAlertRoutes,
];
