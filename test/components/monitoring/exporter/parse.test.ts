import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseDiskUsage,
  parseGcMaxUsedBytes,
  parseHistories,
  summarizeDiskUsage,
} from "../../../../components/monitoring/exporter/parse";

const FIXTURES = join(__dirname, "../../../fixtures/buildkit-v0.32.2");
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");

describe("parseDiskUsage / summarizeDiskUsage (buildctl du, v0.32.2)", () => {
  const records = parseDiskUsage(fixture("buildctl-du.jsonl"));

  it("reads every record with its size and record type", () => {
    expect(records).toHaveLength(14);
    expect(records[0]).toEqual({ id: "wd78mwo4on7rk6mq16g2fc4po", size: 4096, recordType: "source.local", inUse: false, shared: false });
  });

  it("totals bytes and records by record type, sorted by type", () => {
    const summary = summarizeDiskUsage(records);
    expect(summary.totalBytes).toBe(4145152);
    expect(summary.reclaimableBytes).toBe(4145152);
    expect([...summary.byType.entries()]).toEqual([
      ["regular", { bytes: 2125824, records: 11 }],
      ["source.local", { bytes: 2019328, records: 3 }],
    ]);
  });

  it("counts records in use as not reclaimable", () => {
    const inUse = records.map((r, i) => (i === 0 ? { ...r, inUse: true } : r));
    expect(summarizeDiskUsage(inUse).reclaimableBytes).toBe(4145152 - 4096);
  });

  it("treats an empty cache (null) as no records and rejects non-arrays", () => {
    expect(parseDiskUsage("null\n")).toEqual([]);
    expect(() => parseDiskUsage('{"id":"x"}')).toThrow("expected a JSON array");
  });
});

describe("parseHistories (buildctl debug histories, v0.32.2)", () => {
  const builds = parseHistories(fixture("buildctl-debug-histories.jsonl"));

  it("reads every completed build, oldest first", () => {
    expect(builds.map((b) => b.ref)).toHaveLength(6);
    const completed = builds.map((b) => b.completedAt);
    expect([...completed].sort((a, b) => a - b)).toEqual(completed);
  });

  it("reads duration, steps and a missing numCachedSteps as 0", () => {
    const first = builds.find((b) => b.ref === "9gdc622zpylg0mt90m5tk8hwf");
    expect(first).toMatchObject({ status: "success", totalSteps: 12, cachedSteps: 0, completedSteps: 12 });
    expect(first?.durationSeconds).toBeCloseTo(1.467, 3);
    expect(builds.find((b) => b.ref === "km8enhxhd9fpm4e2b1w5rudvn")).toMatchObject({ cachedSteps: 5, totalSteps: 12 });
  });

  it("marks the build with an error as a failure and keeps its message", () => {
    const failed = builds.filter((b) => b.status === "failure");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ ref: "oqj7k57dxd28j5kay39vyg94c", totalSteps: 5, cachedSteps: 1 });
    expect(failed[0]?.errorMessage).toBe('process "/bin/sh -c exit 3" did not complete successfully: exit code: 3');
  });

  it("skips started and deleted events, and names the line of bad JSON", () => {
    const started = JSON.stringify({ type: 0, record: { Ref: "r1", CreatedAt: { seconds: 1 } } });
    expect(parseHistories(`${started}\n`)).toEqual([]);
    expect(() => parseHistories(`${started}\n{oops\n`)).toThrow("line 2 is not JSON");
  });
});

describe("parseGcMaxUsedBytes (buildctl debug workers)", () => {
  it("takes the largest maxUsedSpace of the GC policies", () => {
    expect(parseGcMaxUsedBytes(fixture("buildctl-debug-workers.json"))).toBe(5368709120);
    expect(parseGcMaxUsedBytes("[]")).toBeUndefined();
  });
});
