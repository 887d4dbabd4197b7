import type { BuildkitHostSettings } from "./args";
import { TLS_FILES, UNIT_FILES, type HostPaths } from "./paths";

/** A file Pulumi stages on the host and install.sh moves into place (and rollback restores). */
export interface ManagedFile {
  /** Name in the staging directory. */
  readonly name: string;
  /** Absolute target path (without ROOT). */
  readonly target: string;
  /** Octal mode; private keys and credentials are 0600. */
  readonly mode: "0644" | "0600" | "0755";
  readonly secret: boolean;
  /** Owned by the daemon's user (rootless: it must read its key and credentials). @default false (root) */
  readonly daemonOwned?: boolean;
}

export interface ManagedFileOptions {
  /** TLS material is installed (a TCP listener exists). */
  readonly tls: boolean;
  readonly cacheCredentials: boolean;
  /** The exporter program is shipped with the host. */
  readonly exporterProgram: boolean;
  /** Extra files for /etc/buildkit (a source policy, registry CA...). */
  readonly extraFiles: readonly string[];
}

/** Every file install.sh manages on a host, in a fixed order. */
export function managedFiles(host: BuildkitHostSettings, paths: HostPaths, options: ManagedFileOptions): ManagedFile[] {
  const rootless = host.buildkitd.worker.rootless;
  const daemonUnitDir = rootless ? paths.userUnitDir : paths.unitDir;
  const files: ManagedFile[] = [{ name: "buildkitd.toml", target: `${paths.configDir}/buildkitd.toml`, mode: "0644", secret: false }];
  if (options.tls) {
    files.push(
      { name: TLS_FILES.ca, target: `${paths.tlsDir}/${TLS_FILES.ca}`, mode: "0644", secret: false },
      { name: TLS_FILES.serverCert, target: `${paths.tlsDir}/${TLS_FILES.serverCert}`, mode: "0644", secret: false },
      { name: TLS_FILES.serverKey, target: `${paths.tlsDir}/${TLS_FILES.serverKey}`, mode: "0600", secret: true, daemonOwned: rootless },
      { name: TLS_FILES.clientCert, target: `${paths.tlsDir}/${TLS_FILES.clientCert}`, mode: "0644", secret: false },
      { name: TLS_FILES.clientKey, target: `${paths.tlsDir}/${TLS_FILES.clientKey}`, mode: "0600", secret: true },
    );
  }
  // The unit's EnvironmentFile is read by the manager that runs the daemon: the rootless user's, if rootless.
  if (options.cacheCredentials) files.push({ name: "cache.env", target: `${paths.configDir}/cache.env`, mode: "0600", secret: true, daemonOwned: rootless });
  // Rootless: install.sh writes the exporter's socket address (under /run/user/<uid>) into the staging dir.
  if (rootless) files.push({ name: "exporter.env", target: `${paths.configDir}/exporter.env`, mode: "0644", secret: false });
  for (const name of [...options.extraFiles].sort()) files.push({ name, target: `${paths.configDir}/${name}`, mode: "0644", secret: false });
  files.push({ name: UNIT_FILES.service, target: `${daemonUnitDir}/${UNIT_FILES.service}`, mode: "0644", secret: false });
  if (!rootless) files.push({ name: UNIT_FILES.socket, target: `${paths.unitDir}/${UNIT_FILES.socket}`, mode: "0644", secret: false });
  files.push(
    { name: UNIT_FILES.limits, target: `${daemonUnitDir}/${UNIT_FILES.service}.d/${UNIT_FILES.limits}`, mode: "0644", secret: false },
    { name: UNIT_FILES.exporter, target: `${paths.unitDir}/${UNIT_FILES.exporter}`, mode: "0644", secret: false },
  );
  if (options.exporterProgram) files.push({ name: "exporter.js", target: paths.exporterScript, mode: "0644", secret: false });
  return files;
}
