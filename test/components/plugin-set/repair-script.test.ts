import { existsSync, lstatSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makePluginDirs, type PluginDirs } from "./fixture-dirs";
import { run, writeScripts, type AuditRow } from "./helpers";

/** Every path under `dir` with its type and mode: a fingerprint of the tree. */
function snapshot(dir: string): string {
  return run("sh", ["-c", `find "${dir}" -exec stat -c '%n %F %a %s' {} + | sort`], {}).stdout;
}

describe("plugin-repair.sh", () => {
  let dirs: PluginDirs;
  let scripts: string;
  let env: Record<string, string>;
  let invalidBefore: AuditRow[];
  let firstRun: { status: number; stdout: string; stderr: string };

  const audit = (): AuditRow[] => JSON.parse(run("sh", [join(scripts, "plugin-audit.sh")], env).stdout) as AuditRow[];
  const history = (): Array<Record<string, string>> =>
    readFileSync(join(dirs.root, "state", "history.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, string>);

  beforeAll(() => {
    dirs = makePluginDirs();
    scripts = writeScripts(dirs.root, { quarantineDir: "/var/lib/unused", stateDir: "/var/lib/unused" });
    env = { ...dirs.env, PLUGIN_SYSTEM_DIRS: "", PLUGIN_AUDIT_ENGINE: "off", QUARANTINE_DIR: join(dirs.root, "quarantine"), HISTORY_LOG: join(dirs.root, "state", "history.jsonl") };
    invalidBefore = audit().filter((row) => row.status === "invalid");
    firstRun = run("sh", [join(scripts, "plugin-repair.sh"), "quarantine"], env);
  });

  it("quarantines exactly the invalid plugins and leaves valid and shadowed ones", () => {
    expect(firstRun.status, firstRun.stderr).toBe(0);
    expect(invalidBefore.length).toBe(9);
    for (const row of invalidBefore) expect(existsSync(row.path) || isLink(row.path), row.path).toBe(false);
    const after = audit();
    expect(after.filter((row) => row.status === "invalid")).toEqual([]);
    expect(after.map((row) => [row.name, row.status])).toEqual([
      ["valid", "valid"],
      ["valid", "shadowed"],
    ]);
    expect(existsSync(join(dirs.userDir, "helper"))).toBe(true);
  });

  it("keeps every quarantined file with a manifest entry and a history line", () => {
    const manifest = readFileSync(join(dirs.root, "quarantine", "manifest.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, string>);
    expect(manifest.map((m) => m.path).sort()).toEqual(invalidBefore.map((row) => row.path).sort());
    expect(manifest.find((m) => m.name === "ps")?.reason).toBe('plugin "ps" duplicates builtin command');
    const items = readdirSync(join(dirs.root, "quarantine", "items"));
    expect(items.length).toBe(invalidBefore.length);
    // The dangling link itself was moved (not dereferenced), so nothing was lost.
    const dangling = manifest.find((m) => m.name === "dangling");
    expect(lstatSync(join(dirs.root, "quarantine", "items", dangling?.id ?? "?", "docker-dangling")).isSymbolicLink()).toBe(true);
    const lines = history();
    expect(lines.filter((h) => h.action === "quarantine" && h.result === "ok").length).toBe(invalidBefore.length);
  });

  it("changes nothing on a second run", () => {
    const before = snapshot(dirs.root);
    const second = run("sh", [join(scripts, "plugin-repair.sh"), "quarantine"], env);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain("quarantine: 0 moved, 0 failed");
    expect(snapshot(dirs.root)).toBe(before);
  });

  it("restores everything with one command, back to the audit it started from", () => {
    const restore = run("sh", [join(scripts, "plugin-repair.sh"), "restore", "all"], env);
    expect(restore.status, restore.stderr).toBe(0);
    const after = audit().filter((row) => row.status === "invalid");
    expect(after).toEqual(invalidBefore);
    expect(run("sh", [join(scripts, "plugin-repair.sh"), "list"], env).stdout).toBe("");
    expect(history().filter((h) => h.action === "restore" && h.result === "ok").length).toBe(invalidBefore.length);
  });

  it("quarantines shadowed duplicates only when configured", () => {
    const repair = run("sh", [join(scripts, "plugin-repair.sh"), "quarantine"], { ...env, QUARANTINE_SHADOWED: "1" });
    expect(repair.status).toBe(0);
    const rows = audit();
    expect(rows.map((row) => [row.name, row.status, row.path])).toEqual([["valid", "valid", join(dirs.extraDir, "docker-valid")]]);
    const listed = run("sh", [join(scripts, "plugin-repair.sh"), "list"], env).stdout.trim().split("\n");
    expect(listed.length).toBe(invalidBefore.length + 1);
  });

  it("restores one item by id and refuses to overwrite a plugin that came back", () => {
    const listed = run("sh", [join(scripts, "plugin-repair.sh"), "list"], env).stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string; path: string });
    const [first, second] = listed;
    if (first === undefined || second === undefined) throw new Error("expected two quarantined items");
    expect(run("sh", [join(scripts, "plugin-repair.sh"), "restore", first.id], env).status).toBe(0);
    expect(existsSync(first.path) || isLink(first.path)).toBe(true);
    // Someone reinstalled a plugin at the second item's path: restoring must not clobber it.
    writeFileSync(second.path, "reinstalled");
    const clash = run("sh", [join(scripts, "plugin-repair.sh"), "restore", second.id], env);
    expect(clash.status).toBe(1);
    expect(clash.stderr).toContain(`${second.path} exists, not overwriting; ${second.id} stays quarantined`);
    expect(readFileSync(second.path, "utf8")).toBe("reinstalled");
    expect(run("sh", [join(scripts, "plugin-repair.sh"), "list"], env).stdout).toContain(second.id);
    expect(run("sh", [join(scripts, "plugin-repair.sh"), "restore", "../etc"], env).status).toBe(2);
  });
});

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
