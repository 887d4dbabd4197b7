import { StepFailure, type CheckResult, type HealthCheck } from "./check";

export interface RunOptions {
  /** At most this many checks in flight. */
  readonly concurrency: number;
  /** Each check's time limit; a dead host fails its own check and nothing else. */
  readonly timeoutMs: number;
  /** Called after each check completes (progress indicator). */
  readonly onDone?: (done: number, total: number, result: CheckResult) => void;
}

async function runOne(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Reject first: aborting makes the check reject too, and the race must report the time limit.
      reject(new StepFailure("time limit", `no answer within ${timeoutMs / 1000}s`, "check the host is up and reachable from here; raise --timeout for slow links"));
      controller.abort();
    }, timeoutMs);
  });
  try {
    const outcome = await Promise.race([check.run(controller.signal), timeout]);
    return { component: check.component, check: check.check, ...outcome };
  } catch (error) {
    const step = error instanceof StepFailure ? error.step : "unexpected error";
    const remedy = error instanceof StepFailure ? error.remedy : "report this as a bug with the message";
    return { component: check.component, check: check.check, ok: false, measured: (error as Error).message, failedStep: step, remedy };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** Runs every check with bounded concurrency; results keep the order of `checks`. */
export async function runChecks(checks: readonly HealthCheck[], options: RunOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = new Array<CheckResult>(checks.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < checks.length) {
      const index = next++;
      const result = await runOne(checks[index] as HealthCheck, options.timeoutMs);
      results[index] = result;
      options.onDone?.(++done, checks.length, result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, checks.length)) }, () => worker()));
  return results;
}
