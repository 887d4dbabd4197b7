import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildkitHostSchema, buildkitReleaseSchema, type BuildkitHostInput } from "../../../components/buildkit-host/args";
import { DEFAULT_HOST_PATHS, TLS_FILES } from "../../../components/buildkit-host/paths";
import { releaseFiles, renderHost } from "../../../components/buildkit-host/render-host";
import { withPayload } from "../../../components/buildkit-host/render-install-script";

const run = promisify(execFile);
const METRICS = readFileSync(join(__dirname, "../../fixtures/buildkit-v0.32.2/buildkitd-v0.32.2-metrics.txt"), "utf8");

/** A release tarball whose buildkitd/buildctl are tiny scripts printing `version`; `brokenBuildctl` fails `debug workers`. */
export async function makeTarball(dir: string, version: string, options: { brokenBuildctl?: boolean; marker?: string } = {}): Promise<string> {
  const src = mkdtempSync(join(tmpdir(), "bk-src-"));
  mkdirSync(join(src, "bin"));
  writeFileSync(join(src, "bin", "buildkitd"), `#!/bin/sh\n# ${options.marker ?? "genuine"}\necho "buildkitd github.com/moby/buildkit ${version} 0123abcd"\n`);
  writeFileSync(
    join(src, "bin", "buildctl"),
    `#!/bin/sh
# Like buildctl, refuse TLS flags that name unreadable files.
prev=""
for arg in "$@"; do
  case "$prev" in --tlscacert|--tlscert|--tlskey) [ -r "$arg" ] || { echo "open $arg: no such file or directory" >&2; exit 1; } ;; esac
  prev="$arg"
done
case "$*" in
  *"debug workers"*) ${options.brokenBuildctl ? 'echo "error: connection refused" >&2; exit 1' : `echo '[{"id":"w1","platforms":[{"os":"linux","architecture":"amd64"}]}]'`} ;;
  *"debug info"*) echo '{"buildkitVersion":{"package":"github.com/moby/buildkit","version":"${version}","revision":""}}' ;;
  *) echo "buildctl github.com/moby/buildkit ${version} 0123abcd" ;;
esac
`,
  );
  chmodSync(join(src, "bin", "buildkitd"), 0o755);
  chmodSync(join(src, "bin", "buildctl"), 0o755);
  const name = `buildkit-${version}.linux-amd64.tar.gz`;
  mkdirSync(join(dir, version), { recursive: true });
  const tarball = join(dir, version, name);
  await run("tar", ["-czf", tarball, "-C", src, "bin"]);
  const digest = createHash("sha256").update(readFileSync(tarball)).digest("hex");
  // Two subjects, a decoy first: the script must pick the one named like the tarball.
  const provenance = { _type: "https://in-toto.io/Statement/v0.1", predicateType: "https://slsa.dev/provenance/v0.2", subject: [{ digest: { sha256: "e".repeat(64) }, name: `${name}.sbom.json` }, { name, digest: { sha256: digest } }], predicate: { builder: { id: "https://github.com/moby/buildkit/actions" }, materials: [{ uri: "pkg:docker/alpine", digest: { sha256: "f".repeat(64) } }] } };
  writeFileSync(`${tarball}.provenance.json`, JSON.stringify(provenance, null, 2));
  return digest;
}

export interface ReleaseServer {
  readonly baseUrl: string;
  readonly debugAddress: string;
  /** Paths (under the base URL) served with a cut-off body. */
  readonly truncate: Set<string>;
  /** Paths whose requests are accepted and never answered (a stalled mirror). */
  readonly stall: Set<string>;
  close(): Promise<void>;
}

/** Serves `dir` and `/metrics` (the recorded buildkitd v0.32.2 exposition) on 127.0.0.1, ephemeral port. */
export async function serveReleases(dir: string): Promise<ReleaseServer> {
  const truncate = new Set<string>();
  const stall = new Set<string>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (stall.has(url)) return;
    if (url === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(METRICS);
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(join(dir, decodeURIComponent(url.replace(/^\/releases/, ""))));
    } catch {
      res.writeHead(404).end("not found");
      return;
    }
    if (truncate.has(url)) {
      res.writeHead(200, { "content-length": body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.writeHead(200, { "content-length": body.length }).end(body);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/releases`,
    debugAddress: `127.0.0.1:${port}`,
    truncate,
    stall,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export interface HostRoot {
  readonly root: string;
  readonly systemctlLog: string;
  /** Renders the host's files for `version` into the staging directory under ROOT. */
  stage(version: string, host?: Partial<BuildkitHostInput>, sha256?: string, tls?: boolean): void;
  /** Runs a staged script for real; never throws, returns the exit code and output. */
  script(name: string, env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  systemctlCalls(): string[];
  /** Starts a staged script and kill -9s its process group after `delayMs`; true when it was still running. */
  killAfter(name: string, delayMs: number, env?: Record<string, string>): Promise<boolean>;
  /** Starts a staged script and kill -9s its process group once its stderr matches; true when it matched. */
  killWhen(name: string, pattern: RegExp, env?: Record<string, string>): Promise<boolean>;
  /** A PATH holding only links to the named tools. */
  toolsOnly(tools: readonly string[]): string;
}

export function makeHostRoot(server: ReleaseServer): HostRoot {
  const root = mkdtempSync(join(tmpdir(), "bk-root-"));
  const fakes = join(root, ".fakes");
  mkdirSync(fakes);
  const systemctlLog = join(root, ".systemctl.log");
  // Fakes record their calls: systemctl as "<args>", groupadd as "groupadd <args>".
  writeFileSync(join(fakes, "systemctl"), `#!/bin/sh\necho "$*" >> '${systemctlLog}'\n`);
  writeFileSync(join(fakes, "groupadd"), `#!/bin/sh\necho "groupadd $*" >> '${systemctlLog}'\n`);
  chmodSync(join(fakes, "systemctl"), 0o755);
  chmodSync(join(fakes, "groupadd"), 0o755);
  writeFileSync(systemctlLog, "");
  const staging = join(root, DEFAULT_HOST_PATHS.stagingDir);
  const scripts = join(root, ".scripts");
  const scriptEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", ROOT: root, SYSTEMCTL: join(fakes, "systemctl"), GROUPADD: join(fakes, "groupadd"), LOGINCTL: "true", HOST_MACHINE: "x86_64", DEBUG_ADDR: server.debugAddress, RETRIES: "1", RETRY_DELAY: "0", TMPDIR: root, ...env });
  // FILE_SIZE_LIMIT_BLOCKS runs the script under `ulimit -f` (a full disk where tmpfs is not allowed).
  const shellArgs = (name: string, env: Record<string, string>): string[] => {
    const path = join(name === "install.sh" ? staging : scripts, name);
    return env.FILE_SIZE_LIMIT_BLOCKS === undefined ? [path] : ["-c", `ulimit -f ${Number(env.FILE_SIZE_LIMIT_BLOCKS)}; exec /bin/sh "$0"`, path];
  };
  return {
    root,
    systemctlLog,
    stage(version, host = {}, sha256, tls = false) {
      const settings = buildkitHostSchema.parse({ name: "builder-1", connection: { type: "local" }, arch: "amd64", ...host });
      const release = buildkitReleaseSchema.parse({ version, downloadBaseUrl: server.baseUrl, sha256: sha256 ? { amd64: sha256 } : {}, download: { connectTimeoutSeconds: 2, maxTimeSeconds: 5, lowSpeedSeconds: 2, attempts: 2, backoffSeconds: 1 } });
      const rendered = renderHost(settings, release, { tls, cacheCredentials: false, exporterProgram: false });
      const files = releaseFiles(rendered);
      if (tls) for (const file of Object.values(TLS_FILES)) files[file] = `-----BEGIN ${file.includes("key") ? "PRIVATE KEY" : "CERTIFICATE"}-----\ntest\n`;
      mkdirSync(staging, { recursive: true });
      mkdirSync(scripts, { recursive: true });
      writeFileSync(join(staging, "install.sh"), withPayload(rendered.scripts["install.sh"] as string, files));
      // The other scripts as rendered, for tests that run them directly (hosts run them from the release).
      for (const [file, text] of Object.entries(rendered.scripts)) if (file !== "install.sh") writeFileSync(join(scripts, file), text);
    },
    async script(name, env = {}) {
      try {
        const { stdout, stderr } = await run("/bin/sh", shellArgs(name, env), { env: scriptEnv(env) });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
      }
    },
    killAfter(name, delayMs, env = {}) {
      const child = spawn("/bin/sh", shellArgs(name, env), { env: scriptEnv(env), detached: true, stdio: "ignore" });
      return new Promise((resolve) => {
        let exited = false;
        const timer = setTimeout(() => {
          if (!exited && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
          resolve(!exited);
        }, delayMs);
        child.once("exit", () => {
          exited = true;
          clearTimeout(timer);
          resolve(false);
        });
      }).then(async (killed) => {
        if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once("exit", resolve));
        return killed as boolean;
      });
    },
    killWhen(name, pattern, env = {}) {
      const child = spawn("/bin/sh", shellArgs(name, env), { env: scriptEnv(env), detached: true, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      let matched = false;
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (!matched && pattern.test(stderr) && child.pid !== undefined) {
          matched = true;
          process.kill(-child.pid, "SIGKILL");
        }
      });
      return new Promise((resolve) => child.once("close", () => resolve(matched)));
    },
    toolsOnly(tools) {
      const dir = mkdtempSync(join(root, ".tools-"));
      for (const tool of tools) symlinkSync(`/usr/bin/${tool}`, join(dir, tool));
      return dir;
    },
    systemctlCalls: () => readFileSync(systemctlLog, "utf8").split("\n").filter(Boolean),
  };
}
