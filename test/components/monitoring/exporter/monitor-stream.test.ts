import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CompletedBuildTracker, MonitorStreamParser, type MonitorEvent } from "../../../../components/monitoring/exporter/monitor-stream";

const RECORDED = readFileSync(join(__dirname, "../../../fixtures/buildkit-v0.32.2/real-builds/debug-monitor.txt"), "utf8");
const UNCACHED = "mf7uh22x5xik6i0axldsndjax";
const CACHED = "i4jypf0ro6jspf5ou78rnkiil";

function parseAll(chunks: readonly string[]): { events: MonitorEvent[]; malformed: string[] } {
  const events: MonitorEvent[] = [];
  const malformed: string[] = [];
  const parser = new MonitorStreamParser((e) => events.push(e), (l) => malformed.push(l));
  for (const chunk of chunks) parser.push(chunk);
  parser.flush();
  return { events, malformed };
}

describe("MonitorStreamParser", () => {
  it("reads the recorded v0.32.2 stream: two builds, each started then completed with its cache counts", () => {
    const { events, malformed } = parseAll([RECORDED]);
    expect(malformed).toEqual([]);
    expect(events).toEqual([
      { type: "STARTED", ref: UNCACHED },
      { type: "COMPLETE", ref: UNCACHED, cachedSteps: 0, totalSteps: 22 },
      { type: "STARTED", ref: CACHED },
      { type: "COMPLETE", ref: CACHED, cachedSteps: 18, totalSteps: 22 },
    ]);
  });

  it("gives the same events whatever the chunk boundaries (every split point, byte by byte)", () => {
    const whole = parseAll([RECORDED]).events;
    for (let cut = 1; cut < RECORDED.length; cut += 7) {
      expect(parseAll([RECORDED.slice(0, cut), RECORDED.slice(cut)]).events).toEqual(whole);
    }
  });

  it("reports a non-indented line that is not an event and keeps going", () => {
    const { events, malformed } = parseAll(["garbage here\nevent: STARTED ref:abc\n"]);
    expect(malformed).toEqual(["garbage here"]);
    expect(events).toEqual([{ type: "STARTED", ref: "abc" }]);
  });
});

describe("CompletedBuildTracker", () => {
  it("counts every build of a stream cut in the middle exactly once, after --completed replays and reconciliation", () => {
    const tracker = new CompletedBuildTracker();
    const counted: string[] = [];
    const feed = (text: string) => parseAll([text]).events.forEach((e) => {
      if (e.type === "STARTED") tracker.start(e.ref);
      if (e.type === "COMPLETE" && tracker.complete(e.ref)) counted.push(e.ref);
    });
    // The stream drops after the first build completed and the second one started.
    const cut = RECORDED.indexOf(`event: COMPLETE ref:${CACHED}`);
    feed(RECORDED.slice(0, cut));
    expect(tracker.runningRefs).toEqual([CACHED]);
    // While it was down, the second build completed; history now lists both.
    const missed = tracker.reconcile([UNCACHED, CACHED]);
    counted.push(...missed);
    // The new stream (with --completed) replays both completions.
    feed(RECORDED);
    expect(counted).toEqual([UNCACHED, CACHED]);
    expect(tracker.runningRefs).toEqual([]);
  });

  it("does not count builds already in history at start-up", () => {
    const tracker = new CompletedBuildTracker();
    tracker.seed([UNCACHED]);
    expect(tracker.complete(UNCACHED)).toBe(false);
    expect(tracker.complete(CACHED)).toBe(true);
  });

  it("forgets refs the daemon no longer lists, so memory stays bounded by buildkitd's history", () => {
    const tracker = new CompletedBuildTracker();
    tracker.complete("old");
    tracker.reconcile(["new"]);
    // "old" was dropped by the daemon; were it ever listed again it would count as new.
    expect(tracker.complete("old")).toBe(true);
    expect(tracker.complete("new")).toBe(false);
  });

  it("drops running builds when the daemon restarts (they died with it)", () => {
    const tracker = new CompletedBuildTracker();
    tracker.start("a");
    tracker.daemonRestarted();
    expect(tracker.runningRefs).toEqual([]);
  });
});
