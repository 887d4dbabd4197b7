import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DRAIN_SCRIPT_FILE } from "../../../components/common/drain-script";

const root = mkdtempSync(join(tmpdir(), "buildkit-drain-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A fake buildctl answering `debug histories --format '{{.Type}}'` the way v0.32.2 does: one line per
 * event, active builds as STARTED, finished records as COMPLETE. The first `busyCalls` calls report a
 * running build; `mode` "hang" never answers, "down" fails like an unreachable daemon.
 */
function fakeBuildctl(dir: string, busyCalls: number, mode: "normal" | "hang" | "down" = "normal"): string {
  const path = join(dir, "buildctl");
  const body = [
    "#!/bin/sh",
    `dir='${dir}'`,
    'printf \'%s\\n\' "$*" >>"$dir/calls"',
    mode === "hang" ? "exec sleep 60" : "",
    mode === "down" ? "echo 'error: connection refused' >&2; exit 1" : "",
    'n=$(cat "$dir/count" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" >"$dir/count"',
    'echo COMPLETE; echo COMPLETE',
    `if [ "$n" -le ${busyCalls} ]; then echo STARTED; echo STARTED; fi`,
    "",
  ].join("\n");
  writeFileSync(path, body);
  chmodSync(path, 0o755);
  return path;
}

/** A PATH holding only busybox applets: proves the script needs nothing the rootless image lacks. */
function busyboxPath(): string | undefined {
  const busybox = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).stdout.trim();
  if (busybox === "") return undefined;
  const dir = join(root, "busybox-bin");
  if (!existsSync(dir)) {
    mkdirSync(dir);
    for (const applet of ["sh", "cat", "date", "dirname", "grep", "mkdir", "mktemp", "rm", "sleep", "timeout", "tr", "echo"]) symlinkSync(busybox, join(dir, applet));
  }
  return dir;
}

interface Shell {
  readonly name: string;
  readonly command: string;
  readonly path: string;
}

const shells: Shell[] = [{ name: "dash (Debian /bin/sh)", command: "/bin/sh", path: "/usr/bin:/bin" }];
const bb = busyboxPath();
if (bb !== undefined) shells.push({ name: "busybox ash with busybox applets only", command: join(bb, "sh"), path: bb });
else if (process.env.CI) throw new Error("busybox is missing: .ci/run installs it");

interface Outcome {
  readonly status: number | null;
  readonly stderr: string;
  readonly seconds: number;
  readonly dir: string;
}

let runs = 0;
function drain(shell: Shell, env: Record<string, string>, busyCalls: number, mode?: "hang" | "down"): Promise<Outcome> {
  const dir = join(root, `run-${(runs += 1)}`);
  mkdirSync(dir);
  const buildctl = fakeBuildctl(dir, busyCalls, mode);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(shell.command, [DRAIN_SCRIPT_FILE], {
      env: { PATH: shell.path, BUILDCTL: buildctl, DRAIN_FLAG_FILE: join(dir, "state", "drain"), POLL_SECONDS: "1", ...env },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("close", (status) => {
      clearTimeout(killer);
      resolve({ status, stderr, seconds: (Date.now() - started) / 1000, dir });
    });
  });
}

describe.each(shells)("buildkit-drain.sh under $name", (shell) => {
  it.concurrent("creates the flag, waits while a build runs, then returns 0 once none runs", async () => {
    const outcome = await drain(shell, { GRACE_SECONDS: "30" }, 1);
    expect(outcome.status, outcome.stderr).toBe(0);
    expect(existsSync(join(outcome.dir, "state", "drain"))).toBe(true);
    expect(readFileSync(join(outcome.dir, "count"), "utf8").trim()).toBe("2");
    expect(outcome.stderr).toContain("waiting: 2 build(s) still running");
    expect(outcome.stderr).toContain("drained: no running build");
    expect(outcome.seconds).toBeLessThan(10);
  });

  it.concurrent("gives up with exit 1 when the grace period runs out while builds still run", async () => {
    const outcome = await drain(shell, { GRACE_SECONDS: "2" }, 1_000);
    expect(outcome.status, outcome.stderr).toBe(1);
    expect(outcome.stderr).toContain("grace period of 2s ran out: 2 build(s) still running");
    expect(outcome.seconds).toBeGreaterThanOrEqual(1);
    expect(outcome.seconds).toBeLessThan(6);
  });

  it.concurrent("bounds a buildctl call that never answers by the grace period", async () => {
    const outcome = await drain(shell, { GRACE_SECONDS: "1" }, 0, "hang");
    expect(outcome.status, outcome.stderr).toBe(1);
    expect(outcome.stderr).toContain("could not ask the daemon");
    expect(outcome.seconds).toBeLessThan(6);
  });

  it.concurrent("counts an unreachable daemon as not drained, and says why", async () => {
    const outcome = await drain(shell, { GRACE_SECONDS: "0" }, 0, "down");
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toContain("could not ask the daemon: error: connection refused");
  });

  it.concurrent("passes the address and the TLS flags to buildctl, each as one argument", async () => {
    const env = {
      GRACE_SECONDS: "0",
      BUILDKIT_ADDR: "tcp://builder 0:1234",
      BUILDCTL_TLS_CA: "/certs/ca.pem",
      BUILDCTL_TLS_CERT: "/certs/client.pem",
      BUILDCTL_TLS_KEY: "/certs/client-key.pem",
      TLS_SERVER_NAME: "builder-0.pool",
    };
    const outcome = await drain(shell, env, 0);
    expect(outcome.status, outcome.stderr).toBe(0);
    expect(readFileSync(join(outcome.dir, "calls"), "utf8")).toBe(
      "--addr tcp://builder 0:1234 --tlscacert /certs/ca.pem --tlscert /certs/client.pem --tlskey /certs/client-key.pem --tlsservername builder-0.pool debug histories --format {{.Type}}\n",
    );
  });

  it.concurrent("refuses a grace period that is not a whole number of seconds (exit 2), before draining", async () => {
    const outcome = await drain(shell, { GRACE_SECONDS: "10m" }, 0);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain("GRACE_SECONDS must be a whole number of seconds, got '10m'");
    expect(existsSync(join(outcome.dir, "state", "drain"))).toBe(false);
  });
});

describe("buildkit-drain.sh source", () => {
  it("passes shellcheck as POSIX sh", () => {
    const result = spawnSync("shellcheck", ["--shell=sh", "--severity=style", DRAIN_SCRIPT_FILE], { encoding: "utf8" });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});
