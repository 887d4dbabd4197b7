/** CloudWatch alarm specs for the cache bucket: pure data, wired into aws.cloudwatch.MetricAlarm by the component. */

export interface AlarmTarget {
  readonly bucket: string;
  /** The BucketMetric filter id that scopes request metrics to the cache prefix. */
  readonly requestMetricsFilterId: string;
  readonly sizeLimitBytes: number | undefined;
  readonly clientErrorPercent: number;
  readonly serverErrorPercent: number;
  readonly evaluationPeriods: number;
}

interface MetricStat {
  readonly namespace: "AWS/S3";
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly period: number;
  readonly stat: string;
}

export interface MetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly label?: string;
  readonly returnData: boolean;
  readonly metric?: MetricStat;
}

/** The subset of MetricAlarm arguments we set, alarm actions excepted. */
export interface AlarmSpec {
  /** Child-name suffix. */
  readonly key: "size" | "client-errors" | "server-errors";
  readonly alarmDescription: string;
  readonly comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly treatMissingData: "missing" | "notBreaching";
  readonly namespace?: "AWS/S3";
  readonly metricName?: string;
  readonly dimensions?: Record<string, string>;
  readonly period?: number;
  readonly statistic?: "Average" | "Maximum";
  readonly metricQueries?: readonly MetricQuery[];
}

/** S3 storage metrics are daily. */
const STORAGE_PERIOD_SECONDS = 86_400;
/** Request metrics arrive per minute; five-minute windows smooth single failed builds. */
const REQUEST_PERIOD_SECONDS = 300;

function errorRateAlarm(target: AlarmTarget, key: "client-errors" | "server-errors", metricName: "4xxErrors" | "5xxErrors", percent: number, why: string): AlarmSpec {
  const dimensions = { BucketName: target.bucket, FilterId: target.requestMetricsFilterId };
  const stat = (name: string): MetricStat => ({ namespace: "AWS/S3", metricName: name, dimensions, period: REQUEST_PERIOD_SECONDS, stat: "Sum" });
  return {
    key,
    alarmDescription: `BuildKit cache ${target.bucket}: ${metricName} above ${percent}% of requests. ${why} Builds keep working from their local cache (imports are best-effort, exports use ignore-error=true).`,
    comparisonOperator: "GreaterThanThreshold",
    threshold: percent,
    evaluationPeriods: target.evaluationPeriods,
    treatMissingData: "notBreaching",
    metricQueries: [
      { id: "errors", metric: stat(metricName), returnData: false },
      { id: "requests", metric: stat("AllRequests"), returnData: false },
      { id: "rate", expression: "IF(requests > 0, 100 * errors / requests, 0)", label: `${metricName} percent`, returnData: true },
    ],
  };
}

/** Size alarm (threshold = the configured limit in bytes) and 4xx/5xx error-rate alarms. */
export function renderAlarmSpecs(target: AlarmTarget): AlarmSpec[] {
  const specs: AlarmSpec[] = [];
  if (target.sizeLimitBytes !== undefined) {
    specs.push({
      key: "size",
      alarmDescription: `BuildKit cache ${target.bucket} reached its size limit of ${target.sizeLimitBytes} bytes. S3 has no quota: shorten retentionDays or raise sizeLimit.`,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: target.sizeLimitBytes,
      evaluationPeriods: 1,
      treatMissingData: "missing",
      namespace: "AWS/S3",
      metricName: "BucketSizeBytes",
      dimensions: { BucketName: target.bucket, StorageType: "StandardStorage" },
      period: STORAGE_PERIOD_SECONDS,
      statistic: "Maximum",
    });
  }
  specs.push(
    errorRateAlarm(target, "client-errors", "4xxErrors", target.clientErrorPercent, "404s on blob checks are normal; a rise means 403s: check the IAM policies and builder credentials."),
    errorRateAlarm(target, "server-errors", "5xxErrors", target.serverErrorPercent, "S3 is throttling or failing; BuildKit retries with backoff (retry_mode=adaptive)."),
  );
  return specs;
}
