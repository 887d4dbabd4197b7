import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Artifact } from "../../lib/artifacts";
import { asRoot } from "../common/connection";
import { copyToHost, runOnHost, type HostAccess, type HostCommand } from "../common/host-command";
import type { PluginSetSettings } from "./args";
import { parseAudit, renderInventory, type InventoryEntry } from "./render-inventory";
import { renderScriptArtifacts, shellQuote, type ScriptName } from "./render-scripts";
import { HEALTH_SERVICE, HEALTH_TIMER, renderHealthService, renderHealthTimer } from "./render-units";

/** This stack's BuildKit endpoint for `docker buildx create --driver remote` (client TLS files already on the host). */
export interface BuildxEndpoint {
  /** `tcp://host:port` of buildkitd's mTLS listener. */
  readonly endpoint: pulumi.Input<string>;
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Name the server certificate carries, when it differs from the endpoint host. */
  readonly serverName?: pulumi.Input<string>;
}

export interface PluginSetArgs {
  /** Host name, for props and messages. */
  readonly hostName: string;
  readonly access: HostAccess;
  readonly settings: PluginSetSettings;
  /** Configure buildx against this endpoint (only with `settings.configureBuildx`). @default - buildx is left alone */
  readonly buildxEndpoint?: BuildxEndpoint;
  /** Docker provider for engine-managed plugins; required when `settings.enginePlugins` is not empty. */
  readonly dockerProvider?: docker.Provider;
  /** Resources (e.g. the host's bootstrap) that must exist first. */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Audits, repairs, installs and monitors the Docker CLI plugins of one host (see docs/plugin-set.md).
 * Order on the host: scripts → audit → quarantine → install/update → buildx builder → health → final audit.
 */
export class PluginSet extends pulumi.ComponentResource {
  /** Final audit, with documented purposes. */
  public readonly inventory: pulumi.Output<InventoryEntry[]>;
  public readonly inventoryMarkdown: pulumi.Output<string>;
  public readonly invalidCount: pulumi.Output<number>;
  /** What the first audit found, before repair and install. */
  public readonly auditBefore: pulumi.Output<InventoryEntry[]>;
  public readonly historyLogPath: string;
  public readonly artifacts: Artifact[];

  constructor(name: string, args: PluginSetArgs, opts?: pulumi.ComponentResourceOptions) {
    const { settings } = args;
    const configureBuildx = settings.configureBuildx && args.buildxEndpoint !== undefined;
    super(
      "buildfarm:index:PluginSet",
      name,
      { hostName: args.hostName, connectionType: args.access.connection.type, ...settings, buildxConfigured: configureBuildx },
      opts,
    );
    if (settings.enginePlugins.length > 0 && args.dockerProvider === undefined) {
      throw new pulumi.ResourceError("buildfarm:plugins.enginePlugins: expected a Docker provider for engine-managed plugins, got none", this);
    }
    const child = { parent: this };
    // Disabled: audit only (read-only), so the inventory still shows what is on the host.
    const scripts = renderScriptArtifacts(settings).filter((a) => settings.enabled || a.path === "plugins/plugin-audit.sh");
    this.historyLogPath = `${settings.stateDir}/history.jsonl`;
    const copied = scripts.map((artifact) => {
      const file = artifact.path.replace(/^plugins\//, "");
      return copyToHost(`${name}-script-${file.replace(/\.sh$/, "")}`, args.access, { path: `${settings.scriptDir}/${file}`, content: artifact.content, mode: "0755", asRoot: true }, { ...child, dependsOn: args.dependsOn });
    });
    const managed = settings.enabled ? this.manage(name, args, copied, scripts) : { auditBefore: undefined, done: copied, units: [] };
    // The cross-check (differences from `docker info`, if any) goes to the log; stdout is the JSON audit.
    const audit = runScript(args.access, settings, "plugin-audit.sh");
    const finalAudit = runOnHost(
      `${name}-audit`,
      args.access,
      { create: `${audit} --format crosscheck 1>&2; ${audit}`, triggers: scripts.map((a) => a.content) },
      { ...child, dependsOn: managed.done },
    );
    const inventory = finalAudit.stdout.apply((stdout) => renderInventory(parseAudit(stdout)));
    this.inventory = inventory.apply((i) => i.entries);
    this.inventoryMarkdown = inventory.apply((i) => i.markdown);
    this.invalidCount = inventory.apply((i) => i.counts.invalid);
    this.auditBefore = (managed.auditBefore ?? finalAudit).stdout.apply((stdout) => renderInventory(parseAudit(stdout)).entries);
    this.artifacts = [
      ...scripts,
      ...managed.units,
      { path: "plugins/inventory.md", content: this.inventoryMarkdown },
      { path: "plugins/inventory.json", content: this.inventory.apply((entries) => `${JSON.stringify(entries, null, 2)}\n`) },
    ];
    this.registerOutputs({
      inventory: this.inventory,
      inventoryMarkdown: this.inventoryMarkdown,
      invalidCount: this.invalidCount,
      auditBefore: this.auditBefore,
      historyLogPath: this.historyLogPath,
    });
  }

  /** scripts → audit → quarantine → install/update → buildx builder → health (+ engine plugins). */
  private manage(name: string, args: PluginSetArgs, copied: pulumi.Resource[], scripts: Artifact[]): { auditBefore: HostCommand; done: pulumi.Resource[]; units: Artifact[] } {
    const { settings } = args;
    const child = { parent: this };
    const run = (file: ScriptName, extra = ""): string => runScript(args.access, settings, file, extra);
    const allScripts = scripts.map((artifact) => artifact.content);

    const auditBefore = runOnHost(`${name}-audit-before`, args.access, { create: run("plugin-audit.sh"), triggers: allScripts }, { ...child, dependsOn: copied });
    let last: pulumi.Resource = auditBefore;
    if (settings.quarantineInvalid) {
      last = runOnHost(`${name}-repair`, args.access, { create: run("plugin-repair.sh", " quarantine"), triggers: allScripts }, { ...child, dependsOn: [last] });
    }
    const install = runOnHost(`${name}-install`, args.access, { create: run("plugin-install.sh"), triggers: allScripts }, { ...child, dependsOn: [last] });
    last = install;

    const endpoint = args.buildxEndpoint;
    if (settings.configureBuildx && endpoint !== undefined) {
      const create = pulumi
        .all([endpoint.endpoint, endpoint.serverName ?? ""])
        .apply(([address, serverName]) =>
          [settings.buildxBuilderName, address, endpoint.caPath, endpoint.certPath, endpoint.keyPath, ...(serverName === "" ? [] : [serverName])].map(shellQuote).join(" "),
        )
        // Builders live in the connecting user's DOCKER_CONFIG, so this one does not go through sudo.
        .apply((quotedArgs) => `sh ${shellQuote(`${settings.scriptDir}/plugin-buildx-remote.sh`)} ${quotedArgs}`);
      last = runOnHost(`${name}-buildx-builder`, args.access, { create, triggers: [create] }, { ...child, dependsOn: [install] });
    }

    const units: Artifact[] = [
      { path: `plugins/${HEALTH_SERVICE}`, content: renderHealthService(settings) },
      { path: `plugins/${HEALTH_TIMER}`, content: renderHealthTimer() },
    ];
    const unitFiles = units.map((unit) => {
      const file = unit.path.replace(/^plugins\//, "");
      return copyToHost(`${name}-unit-${file.replace(/\./g, "-")}`, args.access, { path: `/etc/systemd/system/${file}`, content: unit.content, asRoot: true }, { ...child, dependsOn: copied });
    });
    const health = runOnHost(
      `${name}-health`,
      args.access,
      {
        create: `${run("plugin-health.sh")} && if command -v systemctl >/dev/null; then ${asRoot(args.access.connection, "systemctl daemon-reload")} && ${asRoot(args.access.connection, `systemctl enable --now ${HEALTH_TIMER}`)}; fi`,
        triggers: allScripts,
      },
      { ...child, dependsOn: [last, ...unitFiles] },
    );

    const enginePlugins = settings.enginePlugins.map(
      (plugin, i) =>
        new docker.Plugin(
          `${name}-engine-${i}`,
          { name: plugin.name, alias: plugin.alias, enabled: plugin.enabled, grantAllPermissions: plugin.grantAllPermissions, envs: plugin.env },
          { ...child, provider: args.dockerProvider },
        ),
    );
    return { auditBefore, done: [health, ...enginePlugins], units };
  }
}

/** `sh '<scriptDir>/<file>'<extra>`, through `sudo -n` when the connection needs it. */
function runScript(access: HostAccess, settings: PluginSetSettings, file: ScriptName, extra = ""): string {
  return asRoot(access.connection, `sh ${shellQuote(`${settings.scriptDir}/${file}`)}${extra}`);
}
