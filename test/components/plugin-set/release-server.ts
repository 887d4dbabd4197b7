import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, normalize } from "node:path";
import type { RunResult } from "./helpers";

/** How the server misbehaves for one path: never answer, or close the connection halfway through the body. */
export type Fault = "stall" | "truncate";

/** A static file server on 127.0.0.1 (ephemeral port) for release files; `fault` picks paths to misbehave on. */
export async function startReleaseServer(root: string, fault: (path: string) => Fault | undefined = () => undefined): Promise<{ server: Server; baseUrl: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/"));
    requests.push(path);
    const kind = fault(path);
    if (kind === "stall") return; // accepts, then never answers
    try {
      const body = readFileSync(join(root, path));
      if (kind === "truncate") {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(body.length) });
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/html" }).end("<html><body>404 Not Found</body></html>");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}`, requests };
}

export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Writes `<root>/<plugin>/<version>/<asset>` plus its checksum file, like the upstream release. */
export function publish(root: string, plugin: "buildx" | "compose", version: string, content: string | Buffer, opts: { checksumOf?: string | Buffer } = {}): void {
  const asset = plugin === "buildx" ? `buildx-${version}.linux-amd64` : "docker-compose-linux-x86_64";
  const dir = join(root, plugin, version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, asset), content, { mode: 0o644 });
  const hash = sha256(opts.checksumOf ?? content);
  if (plugin === "buildx") {
    writeFileSync(join(dir, "checksums.txt"), `${sha256("other")}  buildx-${version}.linux-arm64\n${hash}  ${asset}\n`);
  } else {
    writeFileSync(join(dir, `${asset}.sha256`), `${hash} *${asset}\n`);
  }
}

/** A plugin script for `name` at `version`; `extra` shell runs first (to make it misbehave). */
export function pluginBinary(name: string, version: string, extra = ""): string {
  return [
    "#!/bin/sh",
    extra,
    'if [ "$1" = docker-cli-plugin-metadata ]; then',
    `  echo '{"SchemaVersion":"0.1.0","Vendor":"Docker Inc.","Version":"${version}","ShortDescription":"${name} test build"}'; exit 0`,
    "fi",
    `if [ "$1" = ${name} ] && [ "$2" = version ]; then echo "github.com/docker/${name} ${version} deadbeef"; exit 0; fi`,
    "exit 1",
    "",
  ].join("\n");
}

/** Runs a command without blocking the event loop (the release server lives in this process). */
export function runAsync(command: string, args: string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

export function ensureDir(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  return path;
}
