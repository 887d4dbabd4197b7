import { randomUUID } from "node:crypto";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { StackOutputValues } from "../../stacks/outputs";
import { fail, pass, StepFailure, type HealthCheck } from "./check";

/** Folder under the cache prefix that holds health probes (one object, deleted at once). */
export const PROBE_FOLDER = "health-probe";

/** An S3 client with the builders' identity: the stack's static keys, else the default AWS chain (the builders' role). */
export function cacheClient(outputs: StackOutputValues): S3Client {
  const { cache, cacheCredentials } = outputs;
  return new S3Client({
    region: cache.region,
    ...(cache.endpoint !== null ? { endpoint: cache.endpoint } : {}),
    forcePathStyle: cache.backend === "s3-compatible",
    ...(cacheCredentials !== null ? { credentials: { accessKeyId: cacheCredentials.accessKeyId, secretAccessKey: cacheCredentials.secretAccessKey } } : {}),
    maxAttempts: 2,
  });
}

const S3_REMEDY = "AccessDenied: the builders' role/keys lack the cache grant (pulumi up); other errors: check buildfarm:cache endpoint/region and the network";

async function s3Step<T>(name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const e = error as { name?: string; message?: string; Code?: string };
    throw new StepFailure(name, `${e.name ?? "Error"}: ${e.message ?? ""}`.trim(), S3_REMEDY);
  }
}

/** Limits of the cache checks (the stack's `buildfarm:cache.sizeLimit`). */
export interface CacheCheckSettings {
  readonly sizeLimitBytes?: number;
  /** Listing stops after this many pages (1000 keys each): the size is then a lower bound. */
  readonly maxListPages: number;
}

export function cacheChecks(outputs: StackOutputValues, client: S3Client, settings: CacheCheckSettings): HealthCheck[] {
  const { bucket, prefix } = outputs.cache;
  const base = prefix.replace(/\/+$/, "");
  return [
    {
      component: "cache",
      check: "write/read/delete probe",
      run: async (signal) => {
        const key = `${base}/${PROBE_FOLDER}/${randomUUID()}`;
        const body = `buildfarm health probe ${new Date().toISOString()}`;
        const options = { abortSignal: signal };
        await s3Step(`PutObject s3://${bucket}/${key}`, () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }), options));
        try {
          const read = await s3Step(`GetObject s3://${bucket}/${key}`, async () => (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), options)).Body?.transformToString());
          if (read !== body) throw new StepFailure(`GetObject s3://${bucket}/${key}`, "read back different bytes than written", "the endpoint is not a consistent S3 store: check buildfarm:cache.endpoint");
        } finally {
          await s3Step(`DeleteObject s3://${bucket}/${key}`, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), options));
        }
        return pass(`s3://${bucket}/${base}/${PROBE_FOLDER}/ writable`);
      },
    },
    {
      component: "cache",
      check: "size",
      run: async (signal) => {
        let bytes = 0;
        let objects = 0;
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await s3Step(`ListObjectsV2 s3://${bucket}/${base}/`, () =>
            client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${base}/`, ContinuationToken: token }), { abortSignal: signal }),
          );
          for (const object of page.Contents ?? []) {
            bytes += object.Size ?? 0;
            objects++;
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token !== undefined && ++pages < settings.maxListPages);
        const measured = `${formatBytes(bytes)}${token !== undefined ? "+" : ""} in ${objects} objects`;
        if (settings.sizeLimitBytes === undefined) return pass(`${measured} (no sizeLimit)`);
        const text = `${measured} of ${formatBytes(settings.sizeLimitBytes)}`;
        return bytes <= settings.sizeLimitBytes ? pass(text) : fail(text, "size ≤ buildfarm:cache.sizeLimit", "lower buildfarm:cache.retentionDays, or raise buildfarm:cache.sizeLimit");
      },
    },
  ];
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
