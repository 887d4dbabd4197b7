import { fetchJson, joinUrl } from "./http";

/** One series of an instant-vector answer. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One series of a range answer: [unix seconds, value] points. */
export interface RangeSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

interface ApiAnswer {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> };
}

async function api(baseUrl: string, path: string, params: Record<string, string>, signal: AbortSignal): Promise<ApiAnswer> {
  const url = `${joinUrl(baseUrl, path)}?${new URLSearchParams(params).toString()}`;
  const answer = (await fetchJson(url, signal)) as ApiAnswer;
  if (answer.status !== "success") throw new Error(`Prometheus ${path}: ${answer.error ?? "status " + String(answer.status)}`);
  return answer;
}

/** Read-only Prometheus HTTP API client (instant and range queries, targets). */
export class PrometheusClient {
  constructor(
    readonly baseUrl: string,
    private readonly defaultSignal: AbortSignal = new AbortController().signal,
  ) {}

  async query(expr: string, atUnixSeconds?: number, signal: AbortSignal = this.defaultSignal): Promise<Sample[]> {
    const params: Record<string, string> = { query: expr };
    if (atUnixSeconds !== undefined) params.time = String(atUnixSeconds);
    const answer = await api(this.baseUrl, "/api/v1/query", params, signal);
    const result = answer.data?.result ?? [];
    if (answer.data?.resultType === "scalar") {
      const scalar = answer.data.result as unknown as [number, string];
      return [{ labels: {}, value: Number(scalar[1]) }];
    }
    return result.map((series) => ({ labels: series.metric, value: Number(series.value?.[1]) }));
  }

  async queryRange(expr: string, startUnix: number, endUnix: number, stepSeconds: number, signal: AbortSignal = this.defaultSignal): Promise<RangeSeries[]> {
    const answer = await api(this.baseUrl, "/api/v1/query_range", { query: expr, start: String(startUnix), end: String(endUnix), step: String(stepSeconds) }, signal);
    return (answer.data?.result ?? []).map((series) => ({ labels: series.metric, points: (series.values ?? []).map(([t, v]) => [t, Number(v)] as const) }));
  }

  /** Active scrape targets with their job, labels and health. */
  async targets(signal: AbortSignal = this.defaultSignal): Promise<Array<{ job: string; labels: Record<string, string>; health: string; lastError: string }>> {
    const answer = (await fetchJson(`${joinUrl(this.baseUrl, "/api/v1/targets")}?state=active`, signal)) as {
      data?: { activeTargets?: Array<{ labels: Record<string, string>; scrapePool: string; health: string; lastError: string }> };
    };
    return (answer.data?.activeTargets ?? []).map((t) => ({ job: t.labels.job ?? t.scrapePool, labels: t.labels, health: t.health, lastError: t.lastError }));
  }
}
