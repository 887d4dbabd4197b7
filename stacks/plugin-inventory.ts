import * as pulumi from "@pulumi/pulumi";
import type { PluginSet, PluginSetSettings } from "../components/plugin-set";
import type { Artifact } from "../lib/artifacts";
import type { PluginInventory } from "./outputs";

/** One host's entry of the `pluginInventory` output. */
export function pluginInventoryEntry(host: string, pluginSet: PluginSet, settings: PluginSetSettings): pulumi.Output<PluginInventory> {
  return pulumi.all([pluginSet.inventory, pluginSet.invalidCount]).apply(([installed, invalidCount]) => ({
    host,
    installDir: settings.installDir,
    required: settings.required.map((p) => ({ name: p.name, version: p.version })),
    installed: installed.map((e) => ({ name: e.name, path: e.path, kind: e.kind, status: e.status, reason: e.reason, version: e.version, vendor: e.vendor, purpose: e.purpose })),
    invalidCount,
  }));
}

/** PluginSet writes `plugins/<file>`; with several hosts each gets `plugins/<host>/<file>`. */
export function pluginArtifacts(host: string, pluginSet: PluginSet): Artifact[] {
  return pluginSet.artifacts.map((a) => ({ path: a.path.replace(/^plugins\//, `plugins/${host}/`), content: a.content }));
}
