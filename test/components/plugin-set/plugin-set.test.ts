import * as pulumi from "@pulumi/pulumi";
import * as publicSettings from "@pulumi/pulumi/runtime/settings";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { pluginSetSchema } from "../../../components/plugin-set/args";
import { renderAuditScript } from "../../../components/plugin-set/render-scripts";
import type { PluginSet as PluginSetType } from "../../../components/plugin-set/plugin-set";
import type { InventoryEntry } from "../../../components/plugin-set/render-inventory";
import { mockCall, mockState } from "../../../lib/plan/mock-state";
import { makePluginDirs } from "./fixture-dirs";
import { run } from "./helpers";

const settings = publicSettings as typeof publicSettings & { _reset(): void; waitForRPCs(): Promise<void> };

interface Registration {
  type: string;
  name: string;
  urn: string;
  parent: string;
  deps: string[];
  inputs: Record<string, unknown>;
}

const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

describe("PluginSet (mocked)", () => {
  const registered: Registration[] = [];
  let auditJson: string;
  let local: PluginSetType;
  let ssh: PluginSetType;
  let sudo: PluginSetType;
  let auditOnly: PluginSetType;

  const byName = (name: string): Registration => {
    const found = registered.find((r) => r.name === name);
    if (found === undefined) throw new Error(`no resource ${name}; have ${registered.map((r) => r.name).join(", ")}`);
    return found;
  };
  const dependsOn = (name: string): string[] => byName(name).deps.map((urn) => registered.find((r) => r.urn === urn)?.name ?? urn).sort();

  beforeAll(async () => {
    // The host's answer to `plugin-audit.sh` is the real script's output on real fixture dirs.
    const dirs = makePluginDirs();
    const script = join(dirs.root, "plugin-audit.sh");
    writeFileSync(script, renderAuditScript());
    auditJson = run("sh", [script], { ...dirs.env, PLUGIN_SYSTEM_DIRS: "", PLUGIN_AUDIT_ENGINE: "off" }).stdout;

    settings._reset();
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          const state = mockState(args);
          const create = typeof args.inputs.create === "string" ? args.inputs.create : "";
          if (args.type.startsWith("command:") && create.includes("plugin-audit.sh")) state.stdout = auditJson;
          return { id: `${args.name}-id`, state };
        },
        call: (args) => mockCall(args),
      },
      "buildfarm",
      "dev",
      false,
    );
    const monitor = settings.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: (err: unknown, res: { getUrn(): string } | undefined) => void): Promise<void> };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
      original(req, (err, res) => {
        if (!err && res) registered.push({ type: req.getType(), name: req.getName(), urn: res.getUrn(), parent: req.getParent(), deps: req.getDependenciesList(), inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown> });
        cb(err, res);
      });

    const { PluginSet } = await import("../../../components/plugin-set/plugin-set");
    const docker = await import("@pulumi/docker");
    local = new PluginSet("dev-plugins", { hostName: "dev", access: { connection: { type: "local" } }, settings: pluginSetSchema.parse({ configureBuildx: true }) });
    const provider = new docker.Provider("engine", { host: "ssh://root@builder-1" });
    ssh = new PluginSet("b1-plugins", {
      hostName: "builder-1",
      access: { connection: { type: "ssh", host: "builder-1", port: 22, user: "root", useAgent: false }, sshPrivateKey: pulumi.secret("PRIVATE-KEY-MATERIAL") },
      settings: pluginSetSchema.parse({ quarantineInvalid: false, enginePlugins: [{ name: "grafana/loki-docker-driver:3.3.2", alias: "loki" }] }),
      buildxEndpoint: { endpoint: "tcp://builder-1.build.internal:1234", caPath: "/etc/buildfarm/ca.pem", certPath: "/etc/buildfarm/cert.pem", keyPath: "/etc/buildfarm/key.pem", serverName: "builder-1.build.internal" },
      dockerProvider: provider,
    });
    sudo = new PluginSet("b2-plugins", {
      hostName: "builder-2",
      access: { connection: { type: "ssh", host: "builder-2", port: 22, user: "deploy", useAgent: true } },
      settings: pluginSetSchema.parse({}),
    });
    auditOnly = new PluginSet("ro-plugins", { hostName: "ro", access: { connection: { type: "local" } }, settings: pluginSetSchema.parse({ enabled: false }) });
    await value(auditOnly.inventoryMarkdown);
    await value(sudo.inventoryMarkdown);
    await value(ssh.inventoryMarkdown);
    await value(local.inventoryMarkdown);
    await settings.waitForRPCs();
  });

  it("registers the component with its resolved settings as props", () => {
    const component = byName("dev-plugins");
    expect(component.type).toBe("buildfarm:index:PluginSet");
    expect(component.inputs).toMatchObject({ hostName: "dev", connectionType: "local", quarantineInvalid: true, quarantineShadowed: false, installDir: "/usr/local/lib/docker/cli-plugins", buildxConfigured: false });
    expect((component.inputs.required as unknown[]).length).toBe(2);
  });

  it("wires scripts → audit → repair → install → health → final audit on a local host", () => {
    const children = registered.filter((r) => r.parent === byName("dev-plugins").urn).map((r) => `${r.type} ${r.name}`).sort();
    expect(children).toEqual(
      [
        "dev-plugins-audit", "dev-plugins-audit-before", "dev-plugins-health", "dev-plugins-install", "dev-plugins-repair",
        "dev-plugins-script-plugin-audit", "dev-plugins-script-plugin-buildx-remote", "dev-plugins-script-plugin-health", "dev-plugins-script-plugin-install", "dev-plugins-script-plugin-repair",
        "dev-plugins-unit-buildfarm-plugin-health-service", "dev-plugins-unit-buildfarm-plugin-health-timer",
      ].map((n) => `command:local:Command ${n}`).sort(),
    );
    expect(dependsOn("dev-plugins-repair")).toEqual(["dev-plugins-audit-before"]);
    expect(dependsOn("dev-plugins-install")).toEqual(["dev-plugins-repair"]);
    expect(dependsOn("dev-plugins-health")).toEqual(["dev-plugins-install", "dev-plugins-unit-buildfarm-plugin-health-service", "dev-plugins-unit-buildfarm-plugin-health-timer"]);
    expect(dependsOn("dev-plugins-audit")).toEqual(["dev-plugins-health"]);
    expect(byName("dev-plugins-repair").inputs.create).toBe("sh '/usr/local/lib/buildfarm/plugins/plugin-repair.sh' quarantine");
    expect(byName("dev-plugins-audit").inputs.create).toBe(
      "sh '/usr/local/lib/buildfarm/plugins/plugin-audit.sh' --format crosscheck 1>&2; sh '/usr/local/lib/buildfarm/plugins/plugin-audit.sh'",
    );
    expect(byName("dev-plugins-script-plugin-install").inputs.stdin).toContain("PLUGINS='buildx v0.30.1 ");
  });

  it("publishes the final audit as the inventory, with documented purposes", async () => {
    const inventory = await value(local.inventory);
    const audit = JSON.parse(auditJson) as Array<{ name: string; status: string }>;
    expect(inventory.map((e: InventoryEntry) => [e.name, e.status])).toEqual(audit.map((a) => [a.name, a.status]));
    expect(await value(local.invalidCount)).toBe(9);
    expect(inventory.find((e) => e.name === "valid")?.purpose).toBe('A "quoted" helper');
    const markdown = await value(local.inventoryMarkdown);
    expect(markdown).toContain("1 valid, 9 invalid, 1 shadowed");
    expect(markdown).toContain('| ps | cli | invalid | - | - |');
    expect(local.artifacts.map((a) => a.path)).toEqual([
      "plugins/plugin-audit.sh", "plugins/plugin-repair.sh", "plugins/plugin-install.sh", "plugins/plugin-health.sh", "plugins/plugin-buildx-remote.sh",
      "plugins/buildfarm-plugin-health.service", "plugins/buildfarm-plugin-health.timer", "plugins/inventory.md", "plugins/inventory.json",
    ]);
  });

  it("over SSH: remote commands with a secret connection, no repair when disabled, buildx builder and engine plugins", () => {
    const names = registered.filter((r) => r.parent === byName("b1-plugins").urn).map((r) => `${r.type} ${r.name}`);
    expect(names).toContain("command:remote:Command b1-plugins-install");
    expect(names).toContain("command:remote:CopyToRemote b1-plugins-script-plugin-audit");
    expect(names).toContain("docker:index/plugin:Plugin b1-plugins-engine-0");
    expect(names.some((n) => n.endsWith("b1-plugins-repair"))).toBe(false);
    expect(dependsOn("b1-plugins-install")).toEqual(["b1-plugins-audit-before"]);
    expect(dependsOn("b1-plugins-health")).toContain("b1-plugins-buildx-builder");
    expect(byName("b1-plugins-buildx-builder").inputs.create).toBe(
      "sh '/usr/local/lib/buildfarm/plugins/plugin-buildx-remote.sh' 'buildfarm' 'tcp://builder-1.build.internal:1234' '/etc/buildfarm/ca.pem' '/etc/buildfarm/cert.pem' '/etc/buildfarm/key.pem' 'builder-1.build.internal'",
    );
    expect(byName("b1-plugins-engine-0").inputs).toMatchObject({ name: "grafana/loki-docker-driver:3.3.2", alias: "loki", enabled: true, grantAllPermissions: false });
    const connection = byName("b1-plugins-install").inputs.connection as Record<string, unknown>;
    expect(pulumi.runtime.isRpcSecret(connection)).toBe(true);
    const everything = JSON.stringify(registered.filter((r) => r.type !== "command:remote:Command" && r.type !== "command:remote:CopyToRemote").map((r) => r.inputs));
    expect(everything).not.toContain("PRIVATE-KEY-MATERIAL");
    expect(JSON.stringify(byName("b1-plugins").inputs)).not.toContain("PRIVATE-KEY-MATERIAL");
  });

  it("runs host-changing scripts through sudo -n for a non-root SSH user", () => {
    expect(byName("b2-plugins-install").inputs.create).toBe("sudo -n sh '/usr/local/lib/buildfarm/plugins/plugin-install.sh'");
    expect(byName("b2-plugins-repair").inputs.create).toBe("sudo -n sh '/usr/local/lib/buildfarm/plugins/plugin-repair.sh' quarantine");
    expect(String(byName("b2-plugins-health").inputs.create)).toContain("sudo -n systemctl enable --now buildfarm-plugin-health.timer");
    expect(sudo.historyLogPath).toBe("/var/lib/buildfarm/plugins/history.jsonl");
  });

  it("only audits when disabled: no repair, install, health or units", async () => {
    const children = registered.filter((r) => r.parent === byName("ro-plugins").urn).map((r) => r.name).sort();
    expect(children).toEqual(["ro-plugins-audit", "ro-plugins-script-plugin-audit"]);
    expect(auditOnly.artifacts.map((a) => a.path)).toEqual(["plugins/plugin-audit.sh", "plugins/inventory.md", "plugins/inventory.json"]);
    expect((await value(auditOnly.auditBefore)).length).toBe(11);
  });

  it("refuses engine plugins without a Docker provider, naming the config key", async () => {
    const { PluginSet } = await import("../../../components/plugin-set/plugin-set");
    expect(
      () => new PluginSet("bad", { hostName: "x", access: { connection: { type: "local" } }, settings: pluginSetSchema.parse({ enginePlugins: [{ name: "vieux/sshfs:latest" }] }) }),
    ).toThrow("buildfarm:plugins.enginePlugins: expected a Docker provider for engine-managed plugins, got none");
  });
});

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getObject(): { toJavaScript(): unknown } | undefined;
}
