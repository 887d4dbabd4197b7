/** Pulumi type tokens the pack inspects. Matching by token keeps the pack free of provider SDKs. */

export const COMPONENT = {
  buildkitHost: "buildfarm:index:BuildkitHost",
  productionBuilder: "buildfarm:index:ProductionBuilder",
  distributedCache: "buildfarm:index:DistributedCache",
  monitoringStack: "buildfarm:index:MonitoringStack",
  pluginSet: "buildfarm:index:PluginSet",
} as const;

export const DOCKER = {
  container: "docker:index/container:Container",
  remoteImage: "docker:index/remoteImage:RemoteImage",
} as const;

/** Kubernetes kinds that carry a pod template, with where the pod spec lives. */
export const K8S_WORKLOADS: Readonly<Record<string, readonly string[]>> = {
  "kubernetes:core/v1:Pod": [],
  "kubernetes:apps/v1:Deployment": ["spec", "template"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template"],
  "kubernetes:core/v1:ReplicationController": ["spec", "template"],
  "kubernetes:batch/v1:Job": ["spec", "template"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template"],
};
export const K8S_WORKLOAD_TYPES = Object.keys(K8S_WORKLOADS);
/** Workloads that run to completion: no probes expected. */
export const K8S_BATCH_TYPES = ["kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob"];

export const K8S = {
  namespace: "kubernetes:core/v1:Namespace",
  resourceQuota: "kubernetes:core/v1:ResourceQuota",
  limitRange: "kubernetes:core/v1:LimitRange",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
} as const;

/** aws v7 un-suffixed side resources, plus their deprecated V2 aliases. */
export const S3 = {
  bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  encryption: ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"],
  publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  policy: ["aws:s3/bucketPolicy:BucketPolicy"],
  lifecycle: ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
  versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
  ownershipControls: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
  objectLock: ["aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"],
} as const;

export const IAM_POLICY_TYPES = ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];

export const GRAFANA = {
  dashboard: "grafana:oss/dashboard:Dashboard",
  contactPoint: "grafana:alerting/contactPoint:ContactPoint",
  notificationPolicy: "grafana:alerting/notificationPolicy:NotificationPolicy",
} as const;
