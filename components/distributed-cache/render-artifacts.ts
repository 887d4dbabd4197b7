import type { Artifact } from "../../lib/artifacts";
import type { DistributedCacheSettings } from "./args";
import { renderAlarmSpecs, type AlarmSpec } from "./render-alarms";
import { BUILDER_CREDENTIALS_MODE, BUILDER_CREDENTIALS_PATH, renderBuilderCacheEnvironment } from "./render-builder-credentials";
import { cacheFlags, cacheFlagsForBranchPattern, type CacheClient } from "./render-cache-flags";
import { renderGithubActionsSnippet } from "./render-ci-snippet";
import { renderMinioLifecycle, renderMinioSetupScript } from "./render-minio";
import { policyJson, renderBucketPolicy, renderCachePolicy, renderLifecycleRules, type LifecycleRule, type PolicyDocument } from "./render-policies";
import type { ResolvedCache } from "./resolve";

/** Flags per client, for one kind of build. */
export type FlagsByClient = Readonly<Record<CacheClient, readonly string[]>>;

/** Everything the component renders before it creates a resource: pure, deterministic. */
export interface RenderedCache {
  readonly readerPolicy: PolicyDocument;
  readonly writerPolicy: PolicyDocument;
  /** aws only. */
  readonly bucketPolicy: PolicyDocument | undefined;
  readonly lifecycleRules: readonly LifecycleRule[];
  /** aws only. */
  readonly alarms: readonly AlarmSpec[];
  /** Import main + export main; the branch pattern with ${CACHE_BRANCH}; production import-only. */
  readonly flags: { readonly main: FlagsByClient; readonly branchPattern: FlagsByClient; readonly productionImport: FlagsByClient };
  readonly builderEnvironment: Record<string, string>;
  readonly artifacts: Artifact[];
}

/** The BucketMetric filter id (request metrics) of one environment's cache prefix. */
export function requestMetricsFilterId(cache: ResolvedCache): string {
  return `buildkit-cache-${cache.environment}`;
}

function byClient(render: (client: CacheClient) => string[]): FlagsByClient {
  return { buildctl: render("buildctl"), buildx: render("buildx") };
}

export function renderCache(cache: ResolvedCache, settings: DistributedCacheSettings, withCredentialsFile: boolean): RenderedCache {
  const kmsKeyArn = settings.backend === "aws" && settings.encryption.type === "sse-kms" ? settings.encryption.kmsKeyArn : undefined;
  const target = { bucket: cache.bucket, prefix: cache.prefix, kmsKeyArn };
  const readerPolicy = renderCachePolicy(target, "read");
  const writerPolicy = renderCachePolicy(target, "write");
  const flags = {
    main: byClient((client) => cacheFlags(cache, client, { branch: cache.defaultBranch })),
    branchPattern: byClient((client) => cacheFlagsForBranchPattern(cache, client)),
    productionImport: byClient((client) => cacheFlags(cache, client, { branch: cache.defaultBranch, readOnly: true })),
  };
  const builderEnvironment = renderBuilderCacheEnvironment(cache, { withCredentialsFile });
  const common: Artifact[] = [
    { path: "cache/iam/reader-policy.json", content: policyJson(readerPolicy) },
    { path: "cache/iam/writer-policy.json", content: policyJson(writerPolicy) },
    { path: "cache/flags.json", content: policyJson(flags) },
    { path: "cache/builder-environment.json", content: policyJson({ environment: builderEnvironment, credentialsFile: withCredentialsFile ? { path: BUILDER_CREDENTIALS_PATH, mode: BUILDER_CREDENTIALS_MODE, content: "[secret]" } : null }) },
    { path: "cache/ci/github-actions.yml", content: renderGithubActionsSnippet(cache) },
    { path: "cache/ci/github-actions-production.yml", content: renderGithubActionsSnippet(cache, { readOnly: true }) },
  ];
  switch (settings.backend) {
    case "aws": {
      const bucketPolicy = renderBucketPolicy(target);
      const lifecycleRules = renderLifecycleRules([cache.prefix], cache.retentionDays);
      const alarms = renderAlarmSpecs({
        bucket: cache.bucket,
        requestMetricsFilterId: requestMetricsFilterId(cache),
        sizeLimitBytes: cache.sizeLimitBytes,
        clientErrorPercent: settings.errorAlarms.clientErrorPercent,
        serverErrorPercent: settings.errorAlarms.serverErrorPercent,
        evaluationPeriods: settings.errorAlarms.evaluationPeriods,
      });
      const artifacts: Artifact[] = [
        ...common,
        { path: "cache/bucket-policy.json", content: policyJson(bucketPolicy) },
        { path: "cache/lifecycle.json", content: policyJson({ Rules: lifecycleRules }) },
        { path: "cache/alarms.json", content: policyJson(alarms) },
      ];
      return { readerPolicy, writerPolicy, bucketPolicy, lifecycleRules, alarms, flags, builderEnvironment, artifacts: sorted(artifacts) };
    }
    case "s3-compatible": {
      const lifecycle = renderMinioLifecycle(cache);
      const artifacts: Artifact[] = [
        ...common,
        { path: "cache/minio/ilm.json", content: policyJson(lifecycle) },
        { path: "cache/minio/setup-bucket.sh", content: renderMinioSetupScript(cache) },
      ];
      return { readerPolicy, writerPolicy, bucketPolicy: undefined, lifecycleRules: lifecycle.Rules, alarms: [], flags, builderEnvironment, artifacts: sorted(artifacts) };
    }
    default: {
      const unreachable: never = settings;
      throw new Error(`unknown cache backend ${JSON.stringify(unreachable)}`);
    }
  }
}

function sorted(artifacts: Artifact[]): Artifact[] {
  return [...artifacts].sort((a, b) => a.path.localeCompare(b.path));
}
