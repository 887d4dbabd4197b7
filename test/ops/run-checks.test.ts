import { describe, expect, it } from "vitest";
import { pass, StepFailure, type HealthCheck } from "../../ops/health/check";
import { renderHealthJson, renderHealthTable } from "../../ops/health/render-health";
import { runChecks } from "../../ops/health/run-checks";

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => clearTimeout(timer));
  });

describe("runChecks", () => {
  it("never runs more checks at once than the bound and keeps the input order", async () => {
    let running = 0;
    let peak = 0;
    const checks: HealthCheck[] = Array.from({ length: 9 }, (_, i) => ({
      component: `c${i}`,
      check: "x",
      run: async () => {
        peak = Math.max(peak, ++running);
        await sleep(5 * (9 - i));
        running--;
        return pass(String(i));
      },
    }));
    const results = await runChecks(checks, { concurrency: 3, timeoutMs: 1000 });
    expect(peak).toBe(3);
    expect(results.map((r) => r.measured)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8"]);
  });

  it("fails a check that outlives its time limit at the step 'time limit' and aborts it", async () => {
    let aborted = false;
    const hang: HealthCheck = { component: "builder dead", check: "debug workers", run: (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => ((aborted = true), reject(new Error("aborted"))))) };
    const quick: HealthCheck = { component: "cache", check: "probe", run: async () => pass("ok") };
    const [dead, alive] = await runChecks([hang, quick], { concurrency: 2, timeoutMs: 50 });
    expect(dead).toMatchObject({ ok: false, failedStep: "time limit", measured: "no answer within 0.05s" });
    expect(alive?.ok).toBe(true);
    expect(aborted).toBe(true);
  });

  it("turns a StepFailure into a failed line with its step and remedy, and any other error into 'unexpected error'", async () => {
    const results = await runChecks(
      [
        { component: "a", check: "x", run: async () => { throw new StepFailure("PutObject s3://b/k", "AccessDenied", "grant the role"); } },
        { component: "b", check: "y", run: async () => { throw new Error("boom"); } },
      ],
      { concurrency: 1, timeoutMs: 1000 },
    );
    expect(results[0]).toEqual({ component: "a", check: "x", ok: false, measured: "AccessDenied", failedStep: "PutObject s3://b/k", remedy: "grant the role" });
    expect(results[1]).toMatchObject({ ok: false, failedStep: "unexpected error", measured: "boom" });
  });

  it("reports progress once per finished check", async () => {
    const seen: string[] = [];
    await runChecks([{ component: "a", check: "x", run: async () => pass("1") }, { component: "b", check: "y", run: async () => pass("2") }], {
      concurrency: 1,
      timeoutMs: 100,
      onDone: (done, total, r) => seen.push(`${done}/${total} ${r.component}`),
    });
    expect(seen).toEqual(["1/2 a", "2/2 b"]);
  });
});

describe("renderHealthTable", () => {
  it("aligns one line per check and ends with the verdict", () => {
    const text = renderHealthTable([
      { component: "cache", check: "size", ok: true, measured: "1 GiB" },
      { component: "builder builder-1", check: "version", ok: false, measured: "v0.31.0", failedStep: "version equals pinned v0.32.2", remedy: "pulumi up" },
    ]);
    expect(text).toBe(
      [
        "component          check    result  measured  failed step                    what to do",
        "-----------------  -------  ------  --------  -----------------------------  ----------",
        "cache              size     ok      1 GiB",
        "builder builder-1  version  FAIL    v0.31.0   version equals pinned v0.32.2  pulumi up",
        "",
        "UNHEALTHY: 1 of 2 checks failed",
        "",
      ].join("\n"),
    );
  });

  it("says healthy in JSON only when every check passed", () => {
    expect(JSON.parse(renderHealthJson([{ component: "a", check: "b", ok: true, measured: "" }])).healthy).toBe(true);
    expect(JSON.parse(renderHealthJson([{ component: "a", check: "b", ok: false, measured: "" }])).healthy).toBe(false);
  });
});
