import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson, renderCachePolicy } from "../distributed-cache/render-policies";
import type { ProductionBuilderSettings } from "./args";
import type { ProductionCachePrefixes } from "./render-gate";

/** AWS credential variables that must never reach a production host from the shared pool. */
export const AWS_KEY_VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;

export interface CacheAccess {
  /** The daemons' environment (cache.env): the caller's non-key variables plus, in "user" mode, the builder's own keys. */
  readonly daemonEnvironment: pulumi.Output<Record<string, string>>;
}

/** Drops AWS keys from an environment (the shared pool's writer keys, for example). */
export function withoutAwsKeys(environment: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter(([key]) => !(AWS_KEY_VARIABLES as readonly string[]).includes(key)));
}

/**
 * The production builder's own cache identity: write on its prefix, read-only on the shared one,
 * attached to the builder role and, in "user" mode, to a dedicated IAM user whose keys go to the hosts.
 */
export function createCacheAccess(
  name: string,
  settings: ProductionBuilderSettings,
  cache: ProductionCachePrefixes,
  auditWriterPolicy: aws.iam.Policy,
  callerEnvironment: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
  parent: pulumi.Resource,
): CacheAccess {
  const opts = { parent };
  const policies: Array<[string, aws.iam.Policy]> = [
    [`${name}-cache-writer`, new aws.iam.Policy(`${name}-cache-writer`, {
      path: "/buildfarm/",
      description: `Read and write the production BuildKit cache under s3://${cache.bucket}/${cache.productionPrefix}`,
      policy: policyJson(renderCachePolicy({ bucket: cache.bucket, prefix: cache.productionPrefix }, "write")),
    }, opts)],
  ];
  if (cache.sharedPrefix !== undefined) {
    policies.push([`${name}-shared-cache-reader`, new aws.iam.Policy(`${name}-shared-cache-reader`, {
      path: "/buildfarm/",
      description: `Read (only) the shared BuildKit cache under s3://${cache.bucket}/${cache.sharedPrefix}`,
      policy: policyJson(renderCachePolicy({ bucket: cache.bucket, prefix: cache.sharedPrefix }, "read")),
    }, opts)]);
  }
  for (const [policyName, policy] of policies) {
    new aws.iam.RolePolicyAttachment(`${policyName}-attachment`, { role: settings.auditBucket.writerRoleName, policyArn: policy.arn }, opts);
  }

  const base = pulumi.output(callerEnvironment ?? {}).apply((env): Record<string, string> => ({ ...withoutAwsKeys(env as Record<string, string>), AWS_REGION: cache.region }));
  switch (settings.cacheAccess) {
    case "role":
      return { daemonEnvironment: base };
    case "user": {
      const user = new aws.iam.User(`${name}-cache-user`, { name: `buildfarm-${name}-cache`.slice(0, 64), path: "/buildfarm/", tags: { "buildfarm:role": "prod" } }, opts);
      for (const [policyName, policy] of [...policies, [`${name}-audit-writer`, auditWriterPolicy] as const]) {
        new aws.iam.UserPolicyAttachment(`${policyName}-user-attachment`, { user: user.name, policyArn: policy.arn }, opts);
      }
      const key = new aws.iam.AccessKey(`${name}-cache-user-key`, { user: user.name }, { parent, additionalSecretOutputs: ["secret"] });
      return {
        daemonEnvironment: pulumi.secret(pulumi.all([base, key.id, key.secret]).apply(([env, id, secret]): Record<string, string> => ({ ...env, AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret }))),
      };
    }
    default: {
      const unreachable: never = settings.cacheAccess;
      throw new Error(`unknown cacheAccess ${String(unreachable)}`);
    }
  }
}
