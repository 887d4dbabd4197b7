/**
 * `buildctl debug monitor` (BuildKit v0.32.2): one long-lived call that streams every build's start and
 * end. Shape (test/fixtures/buildkit-v0.32.2/real-builds/debug-monitor.txt):
 *
 *   event: STARTED ref:<ref>
 *   event: COMPLETE ref:<ref>
 *     cache: <cached>/<total>
 *     logs: media_type:"…"  digest:"sha256:…"  size:N
 *
 * Pure: text in, events out. The tracker makes the stream safe to resume: a build is counted once,
 * whether it arrives from the stream, from `--completed`'s replay after a reconnect, or from the
 * history reconciliation that covers the gap while the stream was down.
 */

export type MonitorEventType = "STARTED" | "COMPLETE" | "DELETED";

export interface MonitorEvent {
  readonly type: MonitorEventType;
  readonly ref: string;
  /** From the `cache: <cached>/<total>` line of a COMPLETE event (all vertices, as buildkitd counts them). */
  readonly cachedSteps?: number;
  readonly totalSteps?: number;
}

const EVENT_LINE = /^event:\s+(STARTED|COMPLETE|DELETED)\s+ref:(\S+)\s*$/;
const CACHE_LINE = /^\s+cache:\s+(\d+)\/(\d+)\s*$/;

/**
 * Splits a chunked stream into events. Feed chunks as they arrive; an event is emitted when the next
 * event line (or `flush`) shows that its detail lines are complete. Unknown detail lines are ignored;
 * a non-indented line that is not an event line is reported through `onMalformed` and skipped.
 */
export class MonitorStreamParser {
  private buffer = "";
  private pending: { type: MonitorEventType; ref: string; cachedSteps?: number; totalSteps?: number } | undefined;

  constructor(
    private readonly onEvent: (event: MonitorEvent) => void,
    private readonly onMalformed: (line: string) => void = () => undefined,
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf("\n");
    while (newline >= 0) {
      this.line(this.buffer.slice(0, newline).replace(/\r$/, ""));
      this.buffer = this.buffer.slice(newline + 1);
      newline = this.buffer.indexOf("\n");
    }
  }

  /** End of stream (disconnect): emits the event in progress; a partial last line is dropped. */
  flush(): void {
    this.buffer = "";
    this.emitPending();
  }

  private line(line: string): void {
    if (line.trim() === "") return;
    const event = EVENT_LINE.exec(line);
    if (event) {
      this.emitPending();
      this.pending = { type: event[1] as MonitorEventType, ref: event[2]! };
      return;
    }
    if (/^\s/.test(line)) {
      const cache = CACHE_LINE.exec(line);
      if (cache && this.pending !== undefined) {
        this.pending.cachedSteps = Number(cache[1]);
        this.pending.totalSteps = Number(cache[2]);
      }
      return;
    }
    this.onMalformed(line);
  }

  private emitPending(): void {
    if (this.pending === undefined) return;
    const event = this.pending;
    this.pending = undefined;
    this.onEvent(event);
  }
}

/**
 * Counts each completed build exactly once across reconnects and daemon restarts.
 * `complete(ref)` returns true the first time a ref completes, false for every replay of it.
 * The set of counted refs is bounded: refs the daemon no longer lists are forgotten on reconcile.
 */
export class CompletedBuildTracker {
  private readonly counted = new Set<string>();
  private readonly running = new Set<string>();

  /** Marks refs already in the daemon's history at start-up: known, not new. */
  seed(refs: Iterable<string>): void {
    for (const ref of refs) this.counted.add(ref);
  }

  start(ref: string): void {
    if (!this.counted.has(ref)) this.running.add(ref);
  }

  complete(ref: string): boolean {
    this.running.delete(ref);
    if (this.counted.has(ref)) return false;
    this.counted.add(ref);
    return true;
  }

  /** Builds started on the stream and not yet completed (the drain check and stuck-build gauge use it). */
  get runningRefs(): readonly string[] {
    return [...this.running].sort();
  }

  /**
   * After a reconnect: `listed` is every completed ref in the daemon's history now. Returns the refs that
   * completed while the stream was down (to be counted now), and forgets refs the daemon has dropped.
   */
  reconcile(listed: readonly string[]): string[] {
    const missed = listed.filter((ref) => !this.counted.has(ref));
    for (const ref of missed) {
      this.counted.add(ref);
      this.running.delete(ref);
    }
    const keep = new Set(listed);
    for (const ref of this.counted) if (!keep.has(ref)) this.counted.delete(ref);
    return missed;
  }

  /** The daemon restarted: builds that were running died with it. */
  daemonRestarted(): void {
    this.running.clear();
  }
}
