import type { Arch } from "../../lib/versions";
import type { BuildkitHostSettings, BuildkitRelease } from "./args";
import { managedFiles, type ManagedFile } from "./managed-files";
import { DEFAULT_HOST_PATHS, type HostPaths } from "./paths";
import { renderBuildkitdToml } from "./render-buildkitd-toml";
import { renderRootlessCheckScript, renderUninstallScript, renderVerifyScript } from "./render-host-scripts";
import { renderInstallScript } from "./render-install-script";
import { renderBuildkitUnits } from "./render-units";

export interface HostRenderOptions {
  readonly paths?: HostPaths;
  readonly tls: boolean;
  readonly cacheCredentials: boolean;
  readonly exporterProgram: boolean;
  readonly extraFiles?: readonly string[];
  readonly extraToml?: Readonly<Record<string, unknown>>;
  readonly extraDaemonFlags?: readonly string[];
  /** Prod: the apply step refuses unpinned tarballs and http:// mirrors. @default false */
  readonly strictDownloads?: boolean;
}

/** Everything a host gets, rendered from settings alone (no Pulumi): config, units, scripts, the file list. */
export interface RenderedHost {
  readonly buildkitdToml: string;
  /** Unit file name → text (incl. the limits drop-in and the exporter unit). */
  readonly units: Record<string, string>;
  /** Script file name → text: install.sh (without its payload), verify.sh, uninstall.sh (+ check-rootless.sh when rootless). */
  readonly scripts: Record<string, string>;
  readonly files: readonly ManagedFile[];
}

export function renderHost(host: BuildkitHostSettings, release: BuildkitRelease, options: HostRenderOptions): RenderedHost {
  const paths = options.paths ?? DEFAULT_HOST_PATHS;
  const context = { host, paths, version: release.version };
  const files = managedFiles(host, paths, { tls: options.tls, cacheCredentials: options.cacheCredentials, exporterProgram: options.exporterProgram, extraFiles: options.extraFiles ?? [] });
  const scripts: Record<string, string> = {
    "install.sh": renderInstallScript({ ...context, downloadBaseUrl: release.downloadBaseUrl, arch: host.arch as "auto" | Arch, sha256: release.sha256, download: release.download, files, strict: options.strictDownloads ?? false }),
    "uninstall.sh": renderUninstallScript(context),
    "verify.sh": renderVerifyScript(context),
  };
  if (host.buildkitd.worker.rootless) scripts["check-rootless.sh"] = renderRootlessCheckScript(context);
  return {
    buildkitdToml: renderBuildkitdToml(host.buildkitd, { tlsDir: paths.tlsDir, labels: host.labels, extra: options.extraToml }),
    units: renderBuildkitUnits(host, { version: release.version, paths, cacheCredentials: options.cacheCredentials, extraDaemonFlags: options.extraDaemonFlags }),
    scripts: Object.fromEntries(Object.keys(scripts).sort().map((k) => [k, scripts[k] as string])),
    files,
  };
}

/** The rendered (non-secret) files a release carries: config, units, and every script but install.sh itself. */
export function releaseFiles(rendered: RenderedHost): Record<string, string> {
  const scripts = Object.fromEntries(Object.entries(rendered.scripts).filter(([name]) => name !== "install.sh"));
  return { "buildkitd.toml": rendered.buildkitdToml, ...rendered.units, ...scripts };
}
