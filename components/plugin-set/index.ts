export { pluginSetSchema, requiredPluginSchema, enginePluginSchema, downloadLimitsSchema, SYSTEM_PLUGIN_DIRS } from "./args";
export type { PluginSetSettings, PluginSetInput, RequiredPlugin, EnginePlugin, DownloadLimits } from "./args";
export { KNOWN_PLUGINS, COMPOSE_MIN_BUILDX, compareVersions } from "./known-plugins";
export type { KnownPlugin, ReleaseLayout } from "./known-plugins";
export { auditEntrySchema, parseAudit, renderInventory } from "./render-inventory";
export type { AuditEntry, Inventory, InventoryEntry } from "./render-inventory";
export {
  SCRIPT_NAMES,
  renderAuditScript,
  renderRepairScript,
  renderInstallScript,
  renderHealthScript,
  renderBuildxRemoteScript,
  renderScriptArtifacts,
  pluginLine,
  installOrder,
  pinField,
  buildxClientFilesCommand,
  BUILDX_TLS_FILES,
} from "./render-scripts";
export type { ScriptName } from "./render-scripts";
export { HEALTH_SERVICE, HEALTH_TIMER, renderHealthService, renderHealthTimer } from "./render-units";
export { PluginSet } from "./plugin-set";
export type { PluginSetArgs, BuildxEndpoint } from "./plugin-set";
