import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fileWriteCommand } from "../../../components/common/host-command";

/** Runs a write command with a recording `sudo` on PATH; returns the sudo log. */
function runWrite(command: string, content: string, dir: string): { status: number | null; sudoLog: string } {
  const bin = path.join(dir, "bin");
  spawnSync("mkdir", ["-p", bin]);
  const log = path.join(dir, "sudo.log");
  writeFileSync(path.join(bin, "sudo"), `#!/bin/sh\necho "$*" >> '${log}'\n[ "$1" = "-n" ] && shift\nexec "$@"\n`);
  chmodSync(path.join(bin, "sudo"), 0o755);
  const result = spawnSync("/bin/sh", ["-c", command], { input: content, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  let sudoLog = "";
  try {
    sudoLog = readFileSync(log, "utf8");
  } catch {
    sudoLog = "";
  }
  return { status: result.status, sudoLog };
}

describe("fileWriteCommand", () => {
  it("writes stdin to a path with the given mode, without sudo", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "write-"));
    const target = path.join(dir, "etc", "it's here.conf");
    const { status, sudoLog } = runWrite(fileWriteCommand(target, "0600", false), "a = 'b'\n", dir);
    expect(status).toBe(0);
    expect(readFileSync(target, "utf8")).toBe("a = 'b'\n");
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(sudoLog).toBe("");
  });

  it("runs the whole write under sudo -n for root-owned targets, quoting intact", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "write-"));
    const target = path.join(dir, "systemd", "it's a unit.service");
    const { status, sudoLog } = runWrite(fileWriteCommand(target, "0644", true), "[Unit]\n", dir);
    expect(status).toBe(0);
    expect(readFileSync(target, "utf8")).toBe("[Unit]\n");
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(sudoLog).toMatch(/^-n sh -c /);
  });
});
