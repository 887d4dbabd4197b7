import type { ResolvedCache } from "./resolve";

/**
 * Daemon-side cache settings for BuildkitHost. BuildKit reads S3 credentials from the AWS SDK
 * chain of buildkitd, never from the client, so builders get a credentials file (0600) and
 * environment; the cache flags themselves never carry keys (they would land in build history).
 */

/** Where BuildkitHost writes the credentials file (rootful daemon). */
export const BUILDER_CREDENTIALS_PATH = "/etc/buildkit/s3-cache-credentials";
/** File mode of the credentials file. */
export const BUILDER_CREDENTIALS_MODE = "0600";

export interface BuilderCacheEnvironmentOptions {
  /** A credentials file is installed (static keys); otherwise the instance role is used. */
  readonly withCredentialsFile: boolean;
  /** @default BUILDER_CREDENTIALS_PATH */
  readonly credentialsPath?: string;
}

/** Environment for the buildkitd unit/container: region, endpoint and where the keys are. Sorted. */
export function renderBuilderCacheEnvironment(cache: ResolvedCache, options: BuilderCacheEnvironmentOptions): Record<string, string> {
  const env: Record<string, string> = { AWS_REGION: cache.region };
  if (cache.endpoint !== undefined) {
    env.AWS_ENDPOINT_URL_S3 = cache.endpoint;
    // Off AWS there is no instance metadata service; skip its timeouts in the credential chain.
    env.AWS_EC2_METADATA_DISABLED = "true";
  }
  if (options.withCredentialsFile) {
    env.AWS_SHARED_CREDENTIALS_FILE = options.credentialsPath ?? BUILDER_CREDENTIALS_PATH;
    env.AWS_PROFILE = "default";
  }
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
}

/** An AWS shared credentials file with one `default` profile. The caller keeps the result secret. */
export function renderAwsCredentialsFile(accessKeyId: string, secretAccessKey: string): string {
  for (const [key, value] of [["aws_access_key_id", accessKeyId], ["aws_secret_access_key", secretAccessKey]] as const) {
    if (value === "" || /[\s\r\n]/.test(value)) throw new Error(`${key}: expected a non-empty value without whitespace`);
  }
  return `[default]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`;
}
