import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Artifact } from "../../lib/artifacts";
import type { DistributedCacheSettings } from "./args";
import { createAwsCacheResources, type AwsCacheResources, type CacheAccessKey } from "./aws-resources";
import { renderCache, type FlagsByClient } from "./render-artifacts";
import { BUILDER_CREDENTIALS_MODE, BUILDER_CREDENTIALS_PATH, renderAwsCredentialsFile } from "./render-builder-credentials";
import type { PolicyDocument } from "./render-policies";
import { resolveCache, type CacheEnvironment, type ResolvedCache } from "./resolve";

export interface DistributedCacheArgs {
  /** The validated `buildfarm:cache` section. */
  readonly settings: DistributedCacheSettings;
  readonly environment: CacheEnvironment;
  /**
   * s3-compatible only: the store's key pair for the builders (Pulumi secrets, from
   * `buildfarm:cacheAccessKeyId` / `cacheSecretAccessKey` or a dev-generated pair).
   * @default - builders use their own credential chain
   */
  readonly credentials?: { readonly accessKeyId: pulumi.Input<string>; readonly secretAccessKey: pulumi.Input<string> };
}

/** What BuildkitHost installs so buildkitd (not the client) can reach the cache. */
export interface BuilderCacheCredentials {
  /** Non-secret daemon environment: AWS_REGION, AWS_ENDPOINT_URL_S3, AWS_SHARED_CREDENTIALS_FILE… */
  readonly environment: Record<string, string>;
  /** AWS shared credentials file (write it with mode 0600); absent when builders use an instance role. */
  readonly credentialsFile?: { readonly path: string; readonly mode: string; readonly content: pulumi.Output<string> };
  readonly region: string;
  readonly endpoint: string | undefined;
}

/** The `cache` stack output (stacks/outputs.ts `cacheOutputSchema`): strings for the default branch. */
export interface CacheStackOutput {
  readonly backend: "aws" | "s3-compatible";
  readonly bucket: string;
  readonly region: string;
  readonly endpoint: string | null;
  readonly prefix: string;
  /** `buildctl --import-cache` / `--export-cache` values. */
  readonly importCache: string;
  readonly exportCache: string;
  /** `docker buildx --cache-from` / `--cache-to` values. */
  readonly cacheFrom: string;
  readonly cacheTo: string;
}

/**
 * Shared BuildKit `type=s3` cache: an S3 bucket with encryption, TLS-only policy, no public
 * access, lifecycle expiry, size and error alarms and reader/writer IAM policies (aws), or the
 * settings and setup artifacts for an S3-compatible store; plus the cache flags every client uses.
 */
export class DistributedCache extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly region: string;
  readonly endpoint: string | undefined;
  /** The environment's key prefix, ending in "/". */
  readonly prefix: string;
  readonly cachePrefixes: readonly string[];
  readonly resolved: ResolvedCache;
  /** Flags for `main`, for the `${CACHE_BRANCH}` pattern and production import-only. */
  readonly flags: { readonly main: FlagsByClient; readonly branchPattern: FlagsByClient; readonly productionImport: FlagsByClient };
  readonly readerPolicyDocument: PolicyDocument;
  readonly writerPolicyDocument: PolicyDocument;
  readonly readerPolicyArn: pulumi.Output<string> | undefined;
  readonly writerPolicyArn: pulumi.Output<string> | undefined;
  readonly alarmTopicArn: pulumi.Output<string> | undefined;
  readonly builderCredentials: BuilderCacheCredentials;
  /** aws with createBuilderUsers: key pairs for builders outside AWS (secrets). */
  readonly accessKeys: { readonly writer: CacheAccessKey; readonly reader: CacheAccessKey } | undefined;
  /** The `cache` stack output for other teams. */
  readonly stackOutput: pulumi.Output<CacheStackOutput>;
  readonly artifacts: Artifact[];
  private readonly aws: AwsCacheResources | undefined;
  private readonly componentName: string;

  constructor(name: string, args: DistributedCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    const { settings, environment } = args;
    const cache = resolveCache(settings, environment);
    const staticKeys = settings.backend === "aws" ? settings.createBuilderUsers : args.credentials !== undefined;
    const rendered = renderCache(cache, settings, staticKeys);
    super("buildfarm:index:DistributedCache", name, {
      backend: cache.backend,
      environment,
      bucket: cache.bucket,
      region: cache.region,
      endpoint: cache.endpoint ?? null,
      usePathStyle: cache.usePathStyle,
      allowInsecureEndpoint: settings.backend === "s3-compatible" ? settings.allowInsecureEndpoint : false,
      prefix: cache.prefix,
      project: cache.project,
      defaultBranch: cache.defaultBranch,
      retentionDays: cache.retentionDays,
      touchRefresh: cache.touchRefresh,
      mode: cache.mode,
      ignoreErrorOnExport: true,
      retryMode: cache.retryMode,
      retryMaxAttempts: cache.retryMaxAttempts,
      uploadParallelism: cache.uploadParallelism,
      sizeLimitBytes: cache.sizeLimitBytes ?? null,
      encryption: settings.backend === "aws" ? { type: settings.encryption.type, kmsKeyArn: settings.encryption.kmsKeyArn ?? null, bucketKey: settings.encryption.bucketKey } : null,
      versioning: settings.backend === "aws" ? "Disabled" : null,
      createBuilderUsers: settings.backend === "aws" ? settings.createBuilderUsers : false,
      writerRoles: settings.backend === "aws" ? settings.writerRoles : [],
      readerRoles: settings.backend === "aws" ? settings.readerRoles : [],
      readerPolicy: rendered.readerPolicy,
      writerPolicy: rendered.writerPolicy,
      bucketPolicy: rendered.bucketPolicy ?? null,
      lifecycleRules: rendered.lifecycleRules,
    }, opts);
    this.componentName = name;
    this.resolved = cache;
    this.region = cache.region;
    this.endpoint = cache.endpoint;
    this.prefix = cache.prefix;
    this.cachePrefixes = [cache.prefix];
    this.flags = rendered.flags;
    this.readerPolicyDocument = rendered.readerPolicy;
    this.writerPolicyDocument = rendered.writerPolicy;
    this.artifacts = rendered.artifacts;

    if (settings.backend === "aws") {
      this.aws = createAwsCacheResources(name, this, cache, settings, rendered);
      this.bucketName = this.aws.bucket.bucket;
      this.readerPolicyArn = this.aws.readerPolicy.arn;
      this.writerPolicyArn = this.aws.writerPolicy.arn;
      this.alarmTopicArn = this.aws.alarmTopicArn;
      this.accessKeys = this.aws.writerKey && this.aws.readerKey ? { writer: this.aws.writerKey, reader: this.aws.readerKey } : undefined;
      for (const role of settings.writerRoles) this.grantReadWrite(role);
      for (const role of settings.readerRoles) this.grantRead(role);
    } else {
      this.aws = undefined;
      this.bucketName = pulumi.output(cache.bucket);
      this.readerPolicyArn = undefined;
      this.writerPolicyArn = undefined;
      this.alarmTopicArn = undefined;
      this.accessKeys = undefined;
    }

    const main = rendered.flags.main;
    this.stackOutput = this.bucketName.apply((bucket) => ({
      backend: cache.backend,
      bucket,
      region: cache.region,
      endpoint: cache.endpoint ?? null,
      prefix: cache.prefix,
      importCache: flagValue(main.buildctl, "--import-cache"),
      exportCache: flagValue(main.buildctl, "--export-cache"),
      cacheFrom: flagValue(main.buildx, "--cache-from"),
      cacheTo: flagValue(main.buildx, "--cache-to"),
    }));

    const builderKey = this.accessKeys?.writer ?? args.credentials;
    this.builderCredentials = {
      environment: rendered.builderEnvironment,
      region: cache.region,
      endpoint: cache.endpoint,
      credentialsFile: builderKey && {
        path: BUILDER_CREDENTIALS_PATH,
        mode: BUILDER_CREDENTIALS_MODE,
        content: pulumi.secret(pulumi.all([builderKey.accessKeyId, builderKey.secretAccessKey]).apply(([id, secret]) => renderAwsCredentialsFile(id, secret))),
      },
    };

    this.registerOutputs({
      bucketName: this.bucketName,
      stackOutput: this.stackOutput,
      region: this.region,
      endpoint: this.endpoint,
      prefix: this.prefix,
      flags: this.flags,
      readerPolicyArn: this.readerPolicyArn,
      writerPolicyArn: this.writerPolicyArn,
      alarmTopicArn: this.alarmTopicArn,
    });
  }

  /** Lets a role read the cache (get + list). `role` is a role name, or a Role with a `label` for the child name. */
  grantRead(role: string | aws.iam.Role, label?: string): aws.iam.RolePolicyAttachment {
    return this.attach("read", role, label);
  }

  /** Lets a role read and write the cache (put/get/list on the prefix). */
  grantReadWrite(role: string | aws.iam.Role, label?: string): aws.iam.RolePolicyAttachment {
    return this.attach("write", role, label);
  }

  private attach(access: "read" | "write", role: string | aws.iam.Role, label: string | undefined): aws.iam.RolePolicyAttachment {
    if (this.aws === undefined) throw new pulumi.ResourceError("grantRead/grantReadWrite need backend \"aws\": an s3-compatible store has its own users (see cache/iam/*.json)", this);
    const key = typeof role === "string" ? role : label;
    if (key === undefined) throw new pulumi.ResourceError("grantRead/grantReadWrite with an aws.iam.Role need a label for the attachment's name", this);
    const policy = access === "read" ? this.aws.readerPolicy : this.aws.writerPolicy;
    return new aws.iam.RolePolicyAttachment(`${this.componentName}-${access}-${key}`, { role: typeof role === "string" ? role : role.name, policyArn: policy.arn }, { parent: this });
  }
}

/** The value following the first occurrence of `flag`. */
function flagValue(args: readonly string[], flag: string): string {
  const value = args[args.indexOf(flag) + 1];
  if (!args.includes(flag) || value === undefined) throw new Error(`no ${flag} among the rendered cache flags`);
  return value;
}
