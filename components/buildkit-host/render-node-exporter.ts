import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NODE_EXPORTER } from "../../lib/versions";
import { shq } from "./render-script-common";

/** Where node_exporter's pieces live on a builder host. */
export interface NodeExporterSettings {
  /** Listen address; Prometheus scrapes it as job `node`. @default ":9100" */
  readonly listenAddress: string;
  /** Textfile collector directory (PluginSet writes its plugin metrics here). @default "/var/lib/prometheus/node-exporter" */
  readonly textfileDir: string;
  /** A node_exporter already runs on the host: install nothing. @default false */
  readonly existing: boolean;
  /** Installed binary's folder. @default "/usr/local/bin" */
  readonly binDir: string;
  /** Where the rendered unit is placed before the script installs it. @default "/var/lib/buildfarm/node-exporter/node-exporter.service" */
  readonly unitSource: string;
}

export const NODE_EXPORTER_DEFAULTS: NodeExporterSettings = {
  listenAddress: ":9100",
  textfileDir: "/var/lib/prometheus/node-exporter",
  existing: false,
  binDir: "/usr/local/bin",
  unitSource: "/var/lib/buildfarm/node-exporter/node-exporter.service",
};

const SETTINGS_MARKER = "# @@SETTINGS@@";

/** Its own unit: unprivileged dynamic user, read-only system, bounded memory/CPU/tasks. */
export function renderNodeExporterUnit(settings: NodeExporterSettings = NODE_EXPORTER_DEFAULTS): string {
  return [
    "# Managed by the buildfarm Pulumi program (BuildkitHost).",
    "[Unit]",
    `Description=Prometheus node_exporter ${NODE_EXPORTER.version} (buildfarm host metrics)`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    "DynamicUser=yes",
    `ExecStart=${settings.binDir}/node_exporter --web.listen-address=${settings.listenAddress} --collector.textfile.directory=${settings.textfileDir} --collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containerd/.+)($|/)`,
    "Restart=always",
    "RestartSec=5",
    "MemoryMax=128M",
    "CPUQuota=20%",
    "TasksMax=64",
    "LimitNOFILE=8192",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=read-only",
    "PrivateTmp=yes",
    "ProtectKernelTunables=yes",
    "ProtectControlGroups=yes",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** The install script with its settings filled in (components/buildkit-host/scripts/install-node-exporter.sh). */
export function renderNodeExporterInstallScript(settings: NodeExporterSettings = NODE_EXPORTER_DEFAULTS): string {
  const template = readFileSync(join(__dirname, "scripts", "install-node-exporter.sh"), "utf8");
  const values: Array<[string, string]> = [
    ["NODE_EXPORTER_VERSION", NODE_EXPORTER.version],
    ["NODE_EXPORTER_SHA256_AMD64", NODE_EXPORTER.sha256.amd64],
    ["NODE_EXPORTER_SHA256_ARM64", NODE_EXPORTER.sha256.arm64],
    ["BIN_DIR", settings.binDir],
    ["TEXTFILE_DIR", settings.textfileDir],
    ["UNIT_FILE", settings.unitSource],
    ["EXISTING", settings.existing ? "1" : "0"],
  ];
  const lines = values.map(([key, value]) => `[ -n "\${${key}:-}" ] || ${key}=${shq(value)}`);
  return template.replace(SETTINGS_MARKER, ["# Rendered by BuildkitHost; the environment still overrides.", ...lines].join("\n"));
}
