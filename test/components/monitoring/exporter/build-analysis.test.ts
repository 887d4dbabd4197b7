import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeBuild, analyzeBuildLog, invalidationEvent, userHitRatio } from "../../../../components/monitoring/exporter/build-analysis";
import { parseHistories, type BuildRecord } from "../../../../components/monitoring/exporter/parse";

const REAL = join(__dirname, "../../../fixtures/buildkit-v0.32.2/real-builds");
const real = (name: string): string => readFileSync(join(REAL, name), "utf8");
/** The recorded builds' refs, in the order of the README (uncached, cached, failing, backend error, partial). */
const records = new Map(parseHistories(real("histories.jsonl")).map((r) => [r.ref, r]));
const record = (ref: string): BuildRecord => {
  const found = records.get(ref);
  if (found === undefined) throw new Error(`no record ${ref}`);
  return found;
};
/** The JSON cache summary buildkitd printed for the same build (`--debug-json-cache-metrics`, last line). */
const summary = (name: string) => JSON.parse(real(name).trim().split("\n").at(-1) ?? "") as { user_total: number; user_cached: number; total: number };

describe("analyzeBuild on the real v0.32.2 builds", () => {
  it("reads a fully cached build as 18/18 user steps (buildkitd's all-vertex ratio says 18/22) and logs no invalidation", () => {
    const build = record("ifuk6q97yxoe1gwz53rzubf1q");
    expect([build.cachedSteps, build.totalSteps]).toEqual([18, 22]);
    const analysis = analyzeBuild(build, real("build-cached.err"));
    expect(analysis.userSteps).toEqual({ cached: 18, missed: 0 });
    expect(userHitRatio(analysis)).toBe(1);
    expect(analysis.invalidation).toBe("none");
    expect(invalidationEvent(build, analysis)).toBeUndefined();
    expect(summary("build-cached.out")).toMatchObject({ user_total: 18, user_cached: 18 });
  });

  it("reads the partly cached build as 12/18 and names its 6 missed steps", () => {
    const build = record("xv0x90ktegeal51w5v18nr60k");
    const analysis = analyzeBuild(build, real("build-partial.err"));
    expect(analysis.userSteps).toEqual({ cached: 12, missed: 6 });
    expect(summary("build-partial.out")).toMatchObject({ user_total: 18, user_cached: 12 });
    const event = invalidationEvent(build, analysis);
    expect(event).toMatchObject({ event: "cache_invalidation", ref: build.ref, kind: "partial", cachedUserSteps: 12, cacheableUserSteps: 18 });
    expect(event?.missedSteps).toEqual([
      "[build 1/4] COPY app/src/ /app/src/",
      "[build 2/4] RUN cat /app/src/*.txt /out/lib.bundle > /out/app.bundle",
      "[build 3/4] RUN sha256sum /out/app.bundle > /out/app.sum",
      "[build 4/4] RUN grep -q src /out/app.bundle && echo pass > /out/test.result",
      "[runtime 4/5] COPY --from=build /out/app.bundle /app/app.bundle",
      "[runtime 5/5] COPY --from=build /out/test.result /app/test.result",
    ]);
    // buildkitd's own `cache miss:` lines name the same steps
    const misses = real("build-partial.out").split("\n").filter((l) => l.startsWith("cache miss: ")).map((l) => l.slice("cache miss: ".length));
    expect([...misses].sort()).toEqual([...(event?.missedSteps ?? [])].sort());
  });

  it("logs the uncached first build as a full invalidation naming all 18 steps", () => {
    const build = record("r7lihoewq2kgx132ld3o52inl");
    const analysis = analyzeBuild(build, real("build-uncached.err"));
    expect(analysis.userSteps).toEqual({ cached: 0, missed: 18 });
    expect(invalidationEvent(build, analysis)).toMatchObject({ kind: "full", cachedUserSteps: 0, cacheableUserSteps: 18 });
    expect(invalidationEvent(build, analysis)?.missedSteps).toHaveLength(18);
  });

  it("counts one import and one export error on the cache-down build that succeeded with ignore-error", () => {
    const [build] = parseHistories(real("histories-cache-down-ignore-error.jsonl"));
    if (build === undefined) throw new Error("fixture has no record");
    expect(build.status).toBe("success");
    const analysis = analyzeBuild(build, real("logs-cache-down-ignore-error.txt"));
    expect(analysis.cacheErrors.map(({ operation, backend }) => ({ operation, backend }))).toEqual([
      { operation: "import", backend: "s3" },
      { operation: "export", backend: "s3" },
    ]);
    expect(analysis.cacheErrors[0]?.message).toContain("connection refused");
    // the cache vertices are not user steps: 18 own steps, all ran
    expect(analysis.userSteps).toEqual({ cached: 0, missed: 18 });
  });

  it("counts the failed cache export of a build without ignore-error", () => {
    const analysis = analyzeBuildLog(real("build-cache-backend-error.err"));
    expect(analysis.cacheErrors.map((e) => `${e.operation}/${e.backend}`)).toEqual(["export/s3"]);
  });

  it("counts the failing step as missed and reports no cache error for a failing RUN", () => {
    const analysis = analyzeBuildLog(real("build-failing.err"));
    expect(analysis.cacheErrors).toEqual([]);
    expect(analysis.missedSteps.at(-1)).toMatch(/exit 3/);
  });

  it("counts neither cached nor missed for canceled steps or a log without user steps", () => {
    const log = ["#1 [internal] load build definition from Dockerfile", "#1 DONE 0.0s", "#2 [a 1/2] RUN sleep 100", "#2 CANCELED", "#3 exporting to image", "#3 DONE 0.1s"].join("\n");
    const analysis = analyzeBuildLog(log);
    expect(analysis.userSteps).toEqual({ cached: 0, missed: 0 });
    expect(userHitRatio(analysis)).toBeUndefined();
  });

  it("reads the registry backend from an import ref and the export vertex", () => {
    const log = ["#4 importing cache manifest from registry.example.com/cache:main", "#4 ERROR: failed to authorize", "#9 exporting cache to registry", "#9 ERROR: unexpected status 500"].join("\n");
    expect(analyzeBuildLog(log).cacheErrors.map((e) => `${e.operation}/${e.backend}`)).toEqual(["import/registry", "export/registry"]);
  });
});
