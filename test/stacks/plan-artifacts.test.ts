import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main as plan } from "../../scripts/plan";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");

/** Runs a program; returns its exit code and output instead of throwing. */
async function tool(program: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(program, args, { ...options, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === "number" ? e.code : 127, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  }).sort();
}

/** `systemd-analyze verify` on one folder's units (drop-ins under <service>.d/). Binaries a host install provides are absent here, so only that message is tolerated. */
async function verifyUnits(folder: string, files: string[]): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "plan-units-"));
  const units = files.filter((f) => /\.(service|socket|timer)$/.test(f));
  for (const file of files) {
    const text = readFileSync(path.join(folder, file), "utf8");
    if (file.endsWith(".conf")) {
      const service = units.find((u) => u.endsWith(".service") && !u.includes("exporter")) ?? "buildkit.service";
      mkdirSync(path.join(dir, `${service}.d`), { recursive: true });
      writeFileSync(path.join(dir, `${service}.d`, file), text);
    } else writeFileSync(path.join(dir, file), text);
  }
  const { out } = await tool("systemd-analyze", ["verify", "--man=no", ...units.map((u) => path.join(dir, u))], { env: { ...process.env, SYSTEMD_LOG_LEVEL: "info", XDG_RUNTIME_DIR: dir } });
  rmSync(dir, { recursive: true, force: true });
  return out.split("\n").filter((line) => line.trim() !== "" && !/Command \/\S+ is not executable: No such file or directory/.test(line)).join("\n");
}

describe("npm run plan: every artifact kind, checked by the program that reads it", () => {
  const out = mkdtempSync(path.join(tmpdir(), "stacks-plan-"));
  const files: Record<string, string[]> = {};
  const artifacts = (stack: string) => path.join(out, stack, "artifacts");

  beforeAll(async () => {
    // plan's entry point in-process, one stack after the other (the mocks are process-wide), policy included
    // (exit 0 means no mandatory violation). The CLI itself runs in test/scripts/plan.slow.test.ts.
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      for (const stack of ["dev", "prod"]) {
        expect(await plan(["--stack", stack, "--out", out], ROOT), stack).toBe(0);
        files[stack] = listFiles(artifacts(stack));
      }
    } finally {
      log.mockRestore();
    }
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("writes resources, outputs and every artifact kind", () => {
    for (const stack of ["dev", "prod"]) for (const file of ["resources.json", "outputs.json"]) expect(JSON.parse(readFileSync(path.join(out, stack, file), "utf8"))).toBeTruthy();
    const all = [...files.dev!, ...files.prod!];
    const kinds: Record<string, RegExp> = {
      "buildkitd.toml": /(^|\/)buildkitd\.toml$/,
      "systemd units": /\.(service|socket)$/,
      "drop-ins": /\.conf$/,
      scripts: /\.sh$/,
      "prometheus config": /^monitoring\/prometheus\.yml$/,
      "alert rules": /^monitoring\/rules\/.+\.yml$/,
      alertmanager: /^monitoring\/alertmanager\.yml$/,
      dashboards: /^dashboards\/.+\.json$/,
      "plugin audit": /^plugins\/[^/]+\/plugin-audit\.sh$/,
      "release gate": /^prod\/prod-build\.sh$/,
    };
    for (const [kind, pattern] of Object.entries(kinds)) expect(all.some((f) => pattern.test(f)), kind).toBe(true);
    expect(files.dev).toEqual(expect.arrayContaining(["dev/buildkitd/buildkitd.toml", "plugins/local/plugin-audit.sh", "monitoring/prometheus.yml"]));
  });

  it("buildkitd.toml files parse as TOML", () => {
    for (const stack of ["dev", "prod"]) {
      for (const file of files[stack]!.filter((f) => f.endsWith("buildkitd.toml"))) {
        const document = parseToml(readFileSync(path.join(artifacts(stack), file), "utf8")) as { grpc?: { address?: string[] } };
        expect(document.grpc?.address?.length, `${stack}/${file}`).toBeGreaterThan(0);
      }
    }
  });

  it("promtool checks the Prometheus configs and rule files", async () => {
    for (const stack of ["dev", "prod"]) {
      const dir = artifacts(stack);
      const config = await tool("promtool", ["check", "config", "monitoring/prometheus.yml"], { cwd: dir });
      expect(config.code, config.out).toBe(0);
      const rules = files[stack]!.filter((f) => f.startsWith("monitoring/rules/"));
      const checked = await tool("promtool", ["check", "rules", ...rules], { cwd: dir });
      expect(checked.code, checked.out).toBe(0);
    }
  });

  it("amtool checks the Alertmanager configs", async () => {
    for (const stack of ["dev", "prod"]) {
      const result = await tool("amtool", ["check-config", path.join(artifacts(stack), "monitoring/alertmanager.yml")]);
      expect(result.code, result.out).toBe(0);
    }
  });

  it("shellcheck passes on every script", async () => {
    // Hosts share identical scripts; each distinct text is checked once.
    const distinct = new Map<string, string>();
    for (const stack of ["dev", "prod"]) {
      for (const file of files[stack]!.filter((f) => f.endsWith(".sh"))) {
        const full = path.join(artifacts(stack), file);
        const text = readFileSync(full, "utf8");
        if (!distinct.has(text)) distinct.set(text, full);
      }
    }
    expect(distinct.size).toBeGreaterThan(10);
    const result = await tool("shellcheck", [...distinct.values()]);
    expect(result.code, result.out).toBe(0);
  });

  it("systemd-analyze verify passes on every unit and drop-in", async () => {
    for (const stack of ["dev", "prod"]) {
      const byFolder = new Map<string, string[]>();
      for (const file of files[stack]!.filter((f) => /\.(service|socket|timer|conf)$/.test(f))) {
        const folder = path.dirname(file);
        byFolder.set(folder, [...(byFolder.get(folder) ?? []), path.basename(file)]);
      }
      expect(byFolder.size).toBeGreaterThan(0);
      for (const [folder, units] of byFolder) expect(await verifyUnits(path.join(artifacts(stack), folder), units), `${stack}/${folder}`).toBe("");
    }
  });

  it("dashboards are Grafana JSON with stable uids", () => {
    for (const stack of ["dev", "prod"]) {
      const uids = files[stack]!.filter((f) => f.startsWith("dashboards/")).map((f) => (JSON.parse(readFileSync(path.join(artifacts(stack), f), "utf8")) as { uid: string }).uid);
      expect(uids.length).toBeGreaterThanOrEqual(5);
      expect(new Set(uids).size).toBe(uids.length);
    }
  });
});
