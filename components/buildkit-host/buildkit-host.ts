import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { Artifact } from "../../lib/artifacts";
import { asRoot, needsSudo } from "../common/connection";
import { fileWriteCommand, runOnHost, type HostAccess } from "../common/host-command";
import type { BuildkitHostSettings, BuildkitRelease } from "./args";
import { buildkitClientCommands, hostEndpoints } from "./endpoints";
import { DEFAULT_HOST_PATHS, TLS_FILES, type HostPaths } from "./paths";
import { releaseFiles, renderHost } from "./render-host";
import { withPayload } from "./render-install-script";
import { createTls, type BuildkitTlsOverride, type TlsMaterial } from "./tls";

export const BUILDKIT_HOST_TYPE = "buildfarm:index:BuildkitHost";

export interface BuildkitHostArgs {
  /** Resolved host settings (`buildkitHostSchema` output). */
  readonly settings: BuildkitHostSettings;
  readonly release: BuildkitRelease;
  readonly environment: "dev" | "prod";
  /** SSH key for `ssh` connections (secret). */
  readonly sshPrivateKey?: pulumi.Input<string>;
  /** The CA (and optionally all certificates) to use instead of a generated CA. */
  readonly tls?: BuildkitTlsOverride;
  /** Environment for the daemon's S3 access (AWS_ACCESS_KEY_ID, ...), written to /etc/buildkit/cache.env 0600. */
  readonly cacheCredentials?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Extra buildkitd.toml sections; every key must be in BUILDKIT_KEY_CATALOGUE. */
  readonly extraToml?: Readonly<Record<string, unknown>>;
  /** Extra files for /etc/buildkit (a source policy JSON...), name → content. */
  readonly extraFiles?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Extra buildkitd flags. */
  readonly extraDaemonFlags?: readonly string[];
  /** The build-insights exporter program (exporter.js); without it the exporter unit stays stopped. */
  readonly insightsExporterProgram?: pulumi.Input<string>;
  /** Host layout; tests and containers change it. @default DEFAULT_HOST_PATHS */
  readonly paths?: HostPaths;
}

function envFile(env: Record<string, string>): string {
  return Object.keys(env).sort().map((k) => `${k}=${JSON.stringify(env[k])}`).join("\n") + "\n";
}

/** A standalone BuildKit daemon on one Linux host: installed, configured, limited, verified. */
export class BuildkitHost extends pulumi.ComponentResource {
  readonly artifacts: Artifact[];
  readonly grpcEndpoints: pulumi.Output<string[]>;
  readonly metricsUrl: pulumi.Output<string>;
  readonly installedVersion: pulumi.Output<string>;
  readonly caCertPem: pulumi.Output<string | undefined>;
  readonly clientCertPem: pulumi.Output<string | undefined>;
  readonly clientKeyPem: pulumi.Output<string | undefined>;
  readonly buildctlCommand: pulumi.Output<string>;
  readonly buildxCreateCommand: pulumi.Output<string>;

  constructor(name: string, args: BuildkitHostArgs, opts?: pulumi.ComponentResourceOptions) {
    const { settings, release } = args;
    const paths = args.paths ?? DEFAULT_HOST_PATHS;
    const useTls = settings.buildkitd.grpc.tcpAddress !== undefined && settings.buildkitd.tls.mode !== "none";
    const extraFiles = args.extraFiles ?? {};
    const rendered = renderHost(settings, release, {
      paths,
      tls: useTls,
      cacheCredentials: args.cacheCredentials !== undefined,
      exporterProgram: args.insightsExporterProgram !== undefined,
      extraFiles: Object.keys(extraFiles),
      extraToml: args.extraToml,
      extraDaemonFlags: args.extraDaemonFlags,
      strictDownloads: args.environment === "prod",
    });
    super(
      BUILDKIT_HOST_TYPE,
      name,
      {
        host: settings.name,
        role: settings.role,
        environment: args.environment,
        version: release.version,
        downloadBaseUrl: release.downloadBaseUrl,
        settings,
        buildkitdToml: rendered.buildkitdToml,
        units: rendered.units,
        scripts: Object.keys(rendered.scripts),
        managedFiles: rendered.files.map((f) => f.name),
        tlsOnTcp: useTls,
      },
      opts,
    );
    const access: HostAccess = { connection: settings.connection, sshPrivateKey: args.sshPrivateKey };
    const tlsMaterial: TlsMaterial | undefined = useTls
      ? createTls({ name, mode: settings.buildkitd.tls.mode as "generate" | "supplied", serverNames: [...hostNames(settings), ...settings.buildkitd.tls.serverNames], validityHours: settings.buildkitd.tls.validityHours, override: args.tls }, this)
      : undefined;

    const contents: Record<string, pulumi.Input<string>> = { ...releaseFiles(rendered), ...extraFiles };
    if (tlsMaterial) {
      Object.assign(contents, {
        [TLS_FILES.ca]: tlsMaterial.caCertPem,
        [TLS_FILES.serverCert]: tlsMaterial.serverCertPem,
        [TLS_FILES.serverKey]: tlsMaterial.serverKeyPem,
        [TLS_FILES.clientCert]: tlsMaterial.clientCertPem,
        [TLS_FILES.clientKey]: tlsMaterial.clientKeyPem,
      });
    }
    if (args.cacheCredentials !== undefined) contents["cache.env"] = pulumi.secret(pulumi.output(args.cacheCredentials).apply(envFile));
    if (args.insightsExporterProgram !== undefined) contents["exporter.js"] = args.insightsExporterProgram;

    // One upload per host: install.sh carrying every file of the release (keys included, so the whole
    // upload is a secret written 0700 by root). Its digest is the apply step's trigger.
    const names = Object.keys(contents).sort();
    const bundle = pulumi.secret(pulumi.all(names.map((k) => pulumi.output(contents[k] as pulumi.Input<string>))).apply((texts) =>
      withPayload(rendered.scripts["install.sh"] as string, Object.fromEntries(names.map((k, i) => [k, texts[i] as string]))),
    ));
    // The digest is not secret: a sha256 over high-entropy keys plus public text reveals nothing, and a plain
    // digest keeps plans readable. A change runs `update` (the apply step again), never a replace, so
    // uninstall.sh only ever runs on a real delete.
    const digest = pulumi.unsecret(bundle.apply((text) => createHash("sha256").update(text).digest("hex")));
    const installScript = `${paths.stagingDir}/install.sh`;
    const upload = runOnHost(
      `${name}-release`,
      access,
      { create: fileWriteCommand(installScript, "0700", needsSudo(settings.connection)), stdin: bundle, triggers: [digest] },
      { parent: this, additionalSecretOutputs: ["stdin"] },
    );
    const installCommand = pulumi.interpolate`: buildkit ${release.version} release-sha256 ${digest}; ${asRoot(settings.connection, `sh '${installScript}'`)}`;
    const uninstallScript = `${paths.installDir}/current/files/uninstall.sh`;
    const install = runOnHost(
      `${name}-install`,
      access,
      { create: installCommand, update: installCommand, delete: asRoot(settings.connection, `sh -c 'test ! -f ${uninstallScript} || sh ${uninstallScript}'`) },
      { parent: this, dependsOn: [upload] },
    );

    const endpoints = hostEndpoints(settings, paths);
    this.grpcEndpoints = pulumi.output(endpoints.grpc);
    this.metricsUrl = pulumi.output(endpoints.metricsUrl);
    this.installedVersion = install.stdout.apply(() => release.version);
    this.caCertPem = tlsMaterial ? tlsMaterial.caCertPem : pulumi.output(undefined);
    this.clientCertPem = tlsMaterial ? tlsMaterial.clientCertPem : pulumi.output(undefined);
    this.clientKeyPem = tlsMaterial ? pulumi.secret(tlsMaterial.clientKeyPem) : pulumi.output(undefined);
    const commands = buildkitClientCommands(settings, endpoints);
    this.buildctlCommand = pulumi.output(commands.buildctl);
    this.buildxCreateCommand = pulumi.output(commands.buildxCreate);

    const folder = `hosts/${settings.name}`;
    this.artifacts = [
      { path: `${folder}/buildkitd.toml`, content: rendered.buildkitdToml },
      ...Object.entries(rendered.units).map(([file, content]) => ({ path: `${folder}/${file}`, content })),
      ...Object.entries(rendered.scripts).map(([file, content]) => ({ path: `${folder}/${file}`, content })),
    ];
    this.registerOutputs({
      grpcEndpoints: this.grpcEndpoints,
      metricsUrl: this.metricsUrl,
      installedVersion: this.installedVersion,
      caCertPem: this.caCertPem,
      clientCertPem: this.clientCertPem,
      clientKeyPem: this.clientKeyPem,
      buildctlCommand: this.buildctlCommand,
      buildxCreateCommand: this.buildxCreateCommand,
    });
  }
}

/** Names clients use for this host: the SSH address, or localhost for the local machine. */
function hostNames(settings: BuildkitHostSettings): string[] {
  return settings.connection.type === "ssh" ? [settings.connection.host] : [];
}

