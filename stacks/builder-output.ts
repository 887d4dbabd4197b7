import * as pulumi from "@pulumi/pulumi";
import { buildkitClientCommands, type BuildkitHost, type BuildkitHostSettings } from "../components/buildkit-host";
import type { BuilderOutput } from "./outputs";

/** What one builder contributes to the outputs: its public entry and its (secret) client key. */
export interface BuilderEntry {
  readonly output: pulumi.Output<BuilderOutput>;
  readonly clientKeyPem: pulumi.Output<string>;
}

/** TLS server name clients verify: the first configured name, else the SSH host. */
export function serverNameOf(settings: BuildkitHostSettings): string {
  return settings.buildkitd.tls.serverNames[0] ?? (settings.connection.type === "ssh" ? settings.connection.host : "localhost");
}

/** The contract entry of a BuildkitHost (shared pool or production). */
export function hostBuilderEntry(host: BuildkitHost, settings: BuildkitHostSettings): BuilderEntry {
  const output = pulumi
    .all([host.grpcEndpoints, host.metricsUrl, host.caCertPem, host.clientCertPem, host.buildctlCommand, host.buildxCreateCommand])
    .apply(([endpoints, metricsUrl, caCertPem, clientCertPem, buildctlCommand, buildxCreateCommand]) => {
      const endpoint = endpoints.find((e) => e.startsWith("tcp://"));
      if (endpoint === undefined || caCertPem === undefined || clientCertPem === undefined) {
        throw new Error(`builder ${settings.name}: expected an mTLS TCP listener (buildkitd.grpc.tcpAddress) so clients can reach it`);
      }
      return {
        name: settings.name,
        role: settings.role,
        endpoint,
        serverName: serverNameOf(settings),
        platforms: settings.buildkitd.worker.platforms,
        metricsUrl,
        caCertPem,
        clientCertPem,
        buildctlCommand,
        buildxCreateCommand,
      };
    });
  return { output, clientKeyPem: host.clientKeyPem.apply((key) => key ?? "") };
}

/** A builder that is not a BuildkitHost (the dev container): same commands, from BuildkitHost's renderer. */
export function containerBuilderEntry(
  settings: BuildkitHostSettings,
  addresses: { endpoint: string; metricsUrl: string },
  tls: { caCertPem: pulumi.Output<string>; clientCertPem: pulumi.Output<string>; clientKeyPem: pulumi.Output<string> },
): BuilderEntry {
  const commands = buildkitClientCommands(settings, { primary: addresses.endpoint, grpc: [addresses.endpoint], metricsUrl: addresses.metricsUrl });
  const output = pulumi.all([tls.caCertPem, tls.clientCertPem]).apply(([caCertPem, clientCertPem]) => ({
    name: settings.name,
    role: settings.role,
    endpoint: addresses.endpoint,
    serverName: serverNameOf(settings),
    platforms: settings.buildkitd.worker.platforms,
    metricsUrl: addresses.metricsUrl,
    caCertPem,
    clientCertPem,
    buildctlCommand: commands.buildctl,
    buildxCreateCommand: commands.buildxCreate,
  }));
  return { output, clientKeyPem: tls.clientKeyPem };
}

/** The `builders` and secret `builderClientKeys` outputs from every entry (plus extra keys such as the gate's). */
export function builderOutputs(entries: readonly BuilderEntry[], extraKeys: Record<string, pulumi.Output<string>> = {}) {
  const names = entries.map((e) => e.output.apply((b) => b.name));
  const keys = pulumi.all([pulumi.all(names), pulumi.all(entries.map((e) => e.clientKeyPem)), pulumi.all(extraKeys)]).apply(([n, k, extra]) => ({
    ...Object.fromEntries(n.map((name, i) => [name, k[i] ?? ""])),
    ...extra,
  }));
  return { builders: pulumi.all(entries.map((e) => e.output)), builderClientKeys: pulumi.secret(keys) };
}
