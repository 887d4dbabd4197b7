// Benchmark (not a test): the pool front's added connection latency and connections per second.
// Real HAProxy on 127.0.0.1 in front of one Node TLS stand-in for buildkitd; figures go into docs/builder-pool.md.
// Usage: npx tsx scripts/bench-pool-front.ts
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { renderHaproxyConfig } from "../components/builder-pool";
import { build, FakeBuilder, freePort, Haproxy, sleep } from "../test/components/builder-pool/pool-harness";
import { makePoolPki } from "../test/components/builder-pool/pool-pki";

const SEQUENTIAL = 200;
const CONCURRENCY = 16;
const THROUGHPUT_MS = 5000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function latencies(port: number, pki: ReturnType<typeof makePoolPki>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) out.push((await build(port, pki, "web")).waitMs);
  return out;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "pool-bench-"));
  const pki = makePoolPki(work, [{ name: "web", className: "release" }]);
  const builder = new FakeBuilder("builder-1", "127.0.0.1", 0, pki);
  const [port, metricsPort, agentPort] = [await freePort(), await freePort(), await freePort()];
  await builder.start(agentPort);
  const config = renderHaproxyConfig({
    poolName: "bench", listenAddress: `127.0.0.1:${port}`, metricsAddress: `127.0.0.1:${metricsPort}`,
    files: { frontCertKey: pki.frontCertKey, poolCa: pki.poolCa, backendClientCertKey: pki.frontClientCertKey },
    classes: ["release"], agingSeconds: 60, teams: [{ name: "web", className: "release", maxConcurrentBuilds: 1000 }],
    backends: { kind: "servers", servers: [{ name: "builder-1", address: `127.0.0.1:${builder.port}`, slots: 1000 }] },
    queueTimeoutSeconds: 30, idleTimeoutSeconds: 60, agentPort,
  });
  const configFile = path.join(work, "haproxy.cfg");
  writeFileSync(configFile, config);
  const haproxy = new Haproxy(configFile);
  try {
    await haproxy.start(metricsPort);
    await sleep(1500);
    const direct = median(await latencies(builder.port, pki));
    const front = median(await latencies(port, pki));
    let done = 0;
    const until = Date.now() + THROUGHPUT_MS;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) if ((await build(port, pki, "web")).builder !== undefined) done += 1;
    }));
    console.log(`direct to builder: median ${direct} ms to first byte (TLS handshake + first byte), ${SEQUENTIAL} sequential connections`);
    console.log(`through the front: median ${front} ms (difference ${front - direct} ms: client TLS, quota hop, re-encryption with TLS session reuse to the builder)`);
    console.log(`throughput through the front: ${(done / (THROUGHPUT_MS / 1000)).toFixed(0)} connections/s with ${CONCURRENCY} concurrent clients`);
  } finally {
    await haproxy.stop();
    await builder.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
