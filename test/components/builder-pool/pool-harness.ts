import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import type { PoolPki } from "./pool-pki";

/** A stand-in for buildkitd: mTLS (the front's client certificate), holds each build for `holdMs`. */
export class FakeBuilder {
  active = 0;
  maxActive = 0;
  served = 0;
  private readonly server: tls.Server;
  private readonly agent: net.Server;
  /** What the drain agent answers (the drain-flag contract): "up ready", "drain" or "down". */
  agentState = "up ready";
  readonly peers = new Set<string>();
  private readonly sockets = new Set<net.Socket>();

  constructor(readonly name: string, readonly host: string, readonly holdMs: number, pki: PoolPki) {
    this.server = tls.createServer({ key: readFileSync(pki.builderKey), cert: readFileSync(pki.builderCert), ca: readFileSync(pki.poolCa), requestCert: true, rejectUnauthorized: true, ALPNProtocols: ["h2"] }, (socket) => {
      this.peers.add(String(socket.getPeerCertificate().subject?.CN));
      this.sockets.add(socket);
      socket.on("error", () => undefined);
      // A build starts with the client's first bytes (health checks only handshake and close).
      socket.once("data", () => {
        this.active += 1;
        this.maxActive = Math.max(this.maxActive, this.active);
        socket.write(`${this.name}\n`);
        const done = () => { this.active -= 1; this.served += 1; };
        const timer = setTimeout(() => { done(); socket.end(); }, this.holdMs);
        socket.once("close", () => { this.sockets.delete(socket); clearTimeout(timer); });
      });
    });
    this.agent = net.createServer((socket) => { socket.on("error", () => undefined); socket.end(`${this.agentState}\n`); });
  }

  port = 0;
  async start(agentPort: number): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, this.host, resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => this.agent.listen(agentPort, this.host, resolve));
  }

  /** Dies like a crashed daemon: listener and agent gone, running builds cut. */
  async kill(): Promise<void> {
    const closed = Promise.all([new Promise((r) => this.server.close(r)), new Promise((r) => this.agent.close(r))]);
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

export interface BuildResult {
  readonly builder: string | undefined;
  readonly waitMs: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly error: string | undefined;
}

/** One client build: connects with an identity, sends its first bytes, records which builder served it and when. */
export function build(port: number, pki: PoolPki, identity: string | undefined, limitMs = 20_000): Promise<BuildResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const id = identity === undefined ? {} : { cert: readFileSync(pki.clients[identity]!.cert), key: readFileSync(pki.clients[identity]!.key) };
    const socket = tls.connect({ host: "127.0.0.1", port, ca: readFileSync(pki.poolCa), servername: "localhost", ALPNProtocols: ["h2"], ...id });
    let builder: string | undefined;
    let startedAt = 0;
    let error: string | undefined;
    const timer = setTimeout(() => { error = "client limit"; socket.destroy(); }, limitMs);
    socket.on("secureConnect", () => socket.write("build\n"));
    socket.on("data", (chunk) => { if (builder === undefined) { builder = chunk.toString().trim(); startedAt = Date.now(); } });
    socket.on("error", (e) => { error = e.message; });
    socket.on("close", () => {
      clearTimeout(timer);
      const endedAt = Date.now();
      resolve({ builder, waitMs: builder === undefined ? endedAt - t0 : startedAt - t0, startedAt, endedAt, error: builder === undefined ? (error ?? "closed without service") : error });
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Real HAProxy in master-worker mode; its stdout log lines are kept. */
export class Haproxy {
  readonly lines: string[] = [];
  errors = "";
  private child: ChildProcess | undefined;
  constructor(private readonly configFile: string) {}

  async start(metricsPort: number): Promise<void> {
    this.child = spawn("haproxy", ["-W", "-db", "-f", this.configFile], { stdio: ["ignore", "pipe", "pipe"] });
    let buffer = "";
    this.child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      this.lines.push(...parts);
    });
    this.child.stderr!.on("data", (chunk: Buffer) => { this.errors += chunk.toString(); });
    for (let i = 0; i < 100; i++) {
      if (await canConnect(metricsPort)) return;
      await sleep(50);
    }
    throw new Error(`haproxy did not start listening: ${this.errors}`);
  }

  /** Master-worker reload (what `systemctl reload haproxy` does): the old worker finishes its connections. */
  reload(): void {
    this.child?.kill("SIGUSR2");
  }

  /** JSON log lines (the pool stage and front refusals). */
  logs(): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(3000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
}

/** A free TCP port on loopback (bound then released). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
