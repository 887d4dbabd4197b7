import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns true, at most `attempts` times. */
export async function waitFor(what: string, probe: () => Promise<boolean>, attempts = 100, intervalMs = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface RunningPrometheus {
  readonly url: string;
  readonly stop: () => Promise<void>;
}

/** Starts Debian's prometheus on 127.0.0.1 with `config` and an optional pre-filled TSDB directory. */
export async function startPrometheus(config: string, tsdbDir?: string): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), "ops-prom-"));
  writeFileSync(path.join(dir, "prometheus.yml"), config);
  const port = await freePort();
  const child: ChildProcess = spawn(
    "prometheus",
    [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${tsdbDir ?? path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--storage.tsdb.retention.time=3650d", "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor("prometheus ready", async () => (await fetch(`${url}/-/ready`)).ok, 150);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}: ${stderr.slice(-2000)}`);
  }
  return { url, stop };
}

/** An HTTP server on 127.0.0.1 with a random port. */
export async function startHttp(handler: RequestListener): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const server: Server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
