/**
 * Measures the build-insights exporter's own CPU and RSS at one build per second:
 * `npx tsx scripts/bench-exporter.ts [seconds=120] [interval=15s] [node flags...]`.
 * A fake buildctl reports a new build every second (history keeps the last 50, 5 of 12 steps cached,
 * so every build is an invalidation) and replays the recorded du/logs fixtures; /metrics is scraped
 * every 15 s as Prometheus would. CPU is the exporter process's utime+stime from /proc (buildctl
 * children are reported apart: the fake is a shell script, not the real Go binary).
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { buildExporter } from "./build-exporter";

const FIXTURES = resolve(__dirname, "../test/fixtures/buildkit-v0.32.2");
const CLOCK_TICKS = 100; // USER_HZ on Linux

const FAKE_BUILDCTL = `#!/bin/sh
# Fake buildctl for the benchmark: one new build per second, the last 50 kept.
set -eu
while [ "$#" -gt 0 ]; do case "$1" in --addr|--tlscacert|--tlscert|--tlskey|--tlsservername) shift 2 ;; *) break ;; esac; done
case "\${1:-} \${2:-}" in
  "du --format") cat "$FIXTURES/buildctl-du.jsonl" ;;
  "debug workers") cat "$FIXTURES/buildctl-debug-workers.json" ;;
  "debug logs") cat "$FIXTURES/buildctl-build-progress.txt" ;;
  "debug histories")
    awk -v now="$(date +%s)" 'BEGIN { for (i = 49; i >= 0; i--) { t = now - i;
      printf "{\\"type\\":1,\\"record\\":{\\"Ref\\":\\"bench%d\\",\\"CreatedAt\\":{\\"seconds\\":%d},\\"CompletedAt\\":{\\"seconds\\":%d,\\"nanos\\":500000000},\\"numCachedSteps\\":5,\\"numTotalSteps\\":12,\\"numCompletedSteps\\":12}}\\n", t, t - 3, t } }' ;;
  *) exit 1 ;;
esac
`;

interface ProcSample {
  cpuSeconds: number;
  childCpuSeconds: number;
  rssBytes: number;
}

function sample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return { cpuSeconds: ((utime ?? 0) + (stime ?? 0)) / CLOCK_TICKS, childCpuSeconds: ((cutime ?? 0) + (cstime ?? 0)) / CLOCK_TICKS, rssBytes: rssKb * 1024 };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 120);
  const interval = process.argv[3] ?? "15s";
  const nodeFlags = process.argv.slice(4);
  const dir = mkdtempSync(join(tmpdir(), "bench-exporter-"));
  try {
    const bundle = await buildExporter(join(dir, "exporter.js"));
    const fake = join(dir, "buildctl");
    writeFileSync(fake, FAKE_BUILDCTL);
    chmodSync(fake, 0o755);
    const child = spawn(process.execPath, [...nodeFlags, bundle, "--listen", "127.0.0.1:0", "--buildctl", fake, "--interval", interval], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", FIXTURES },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let invalidations = 0;
    const address = await new Promise<string>((resolveAddress) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const event = JSON.parse(line) as { event: string; address?: string };
        if (event.event === "listening") resolveAddress(String(event.address));
        if (event.event === "cache_invalidation") invalidations += 1;
      });
    });
    await new Promise((r) => setTimeout(r, 3000)); // start-up is not steady state
    const start = sample(child.pid!);
    let maxRss = start.rssBytes;
    const started = Date.now();
    const invalidationsAtStart = invalidations;
    while (Date.now() - started < seconds * 1000) {
      await fetch(`http://${address}/metrics`).then((r) => r.text());
      for (let i = 0; i < 15 && Date.now() - started < seconds * 1000; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        maxRss = Math.max(maxRss, sample(child.pid!).rssBytes);
      }
    }
    const end = sample(child.pid!);
    const elapsed = (Date.now() - started) / 1000;
    child.kill("SIGTERM");
    const result = {
      seconds: Math.round(elapsed),
      interval,
      nodeFlags,
      buildsPerSecond: 1,
      invalidationEvents: invalidations - invalidationsAtStart,
      exporterCpuPercentOfOneCore: Number((((end.cpuSeconds - start.cpuSeconds) / elapsed) * 100).toFixed(2)),
      fakeBuildctlCpuPercentOfOneCore: Number((((end.childCpuSeconds - start.childCpuSeconds) / elapsed) * 100).toFixed(2)),
      maxRssMiB: Number((maxRss / 1024 / 1024).toFixed(1)),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
