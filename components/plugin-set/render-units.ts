import type { PluginSetSettings } from "./args";

/** systemd units that refresh the plugin health metrics every few minutes. */
export const HEALTH_SERVICE = "buildfarm-plugin-health.service";
export const HEALTH_TIMER = "buildfarm-plugin-health.timer";

/** A oneshot service running plugin-health.sh, sandboxed to writing the textfile directory only. */
export function renderHealthService(settings: PluginSetSettings): string {
  return [
    "[Unit]",
    "Description=Docker CLI plugin audit metrics for node_exporter",
    "Documentation=file://" + settings.scriptDir + "/plugin-health.sh",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=/bin/sh ${settings.scriptDir}/plugin-health.sh`,
    "Environment=DOCKER_CONFIG=/root/.docker",
    "PrivateTmp=true",
    "ProtectSystem=strict",
    "ProtectHome=read-only",
    `ReadWritePaths=${settings.textfileDir}`,
    "NoNewPrivileges=true",
    "",
  ].join("\n");
}

/** Every 5 minutes, and soon after boot. */
export function renderHealthTimer(): string {
  return [
    "[Unit]",
    "Description=Refresh Docker CLI plugin audit metrics",
    "",
    "[Timer]",
    "OnBootSec=2min",
    "OnUnitActiveSec=5min",
    `Unit=${HEALTH_SERVICE}`,
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}
