import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { needsSudo, type Connection } from "./connection";

/** How a component reaches a host: the validated connection plus the SSH key secret when needed. */
export interface HostAccess {
  readonly connection: Connection;
  /** SSH private key (a Pulumi secret); unused with `useAgent` or a local connection. */
  readonly sshPrivateKey?: pulumi.Input<string>;
}

export interface HostCommandArgs {
  readonly create: pulumi.Input<string>;
  readonly update?: pulumi.Input<string>;
  readonly delete?: pulumi.Input<string>;
  readonly environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  readonly stdin?: pulumi.Input<string>;
  /** A change to any value replaces the command, so `create` runs again. */
  readonly triggers?: pulumi.Input<unknown[]>;
}

export type HostCommand = command.local.Command | command.remote.Command;

/** The `remote.Connection` for an ssh connection; always a secret (it may carry the key). */
export function sshConnection(access: HostAccess): pulumi.Output<command.types.input.remote.ConnectionArgs> {
  const connection = access.connection;
  if (connection.type !== "ssh") throw new Error("sshConnection needs an ssh connection");
  const base = { host: connection.host, port: connection.port, user: connection.user };
  const withKey = connection.useAgent || access.sshPrivateKey === undefined ? pulumi.output(base) : pulumi.output(access.sshPrivateKey).apply((privateKey) => ({ ...base, privateKey }));
  return pulumi.secret(withKey);
}

/** Runs a command on the host: `local.Command` for this machine, `remote.Command` over SSH. */
export function runOnHost(name: string, access: HostAccess, args: HostCommandArgs, opts: pulumi.CustomResourceOptions): HostCommand {
  const common = {
    create: args.create,
    update: args.update,
    delete: args.delete,
    environment: args.environment,
    stdin: args.stdin,
    triggers: args.triggers as pulumi.Input<unknown[]> | undefined,
    // Scripts print what they did; stdin may carry secrets and is never logged.
    logging: "stdoutAndStderr" as const,
  };
  const connection = access.connection;
  switch (connection.type) {
    case "local":
      return new command.local.Command(name, { ...common, interpreter: ["/bin/sh", "-c"] }, opts);
    case "ssh":
      return new command.remote.Command(name, { ...common, connection: sshConnection(access) }, opts);
    default: {
      const unreachable: never = connection;
      throw new Error(`unknown connection ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Shell that atomically writes stdin to `path` with `mode` (umask 077 so secrets are never readable in between). */
export function writeStdinToFile(path: string, mode: string): string {
  const quoted = `'${path.replace(/'/g, `'\\''`)}'`;
  return `umask 077 && mkdir -p "$(dirname ${quoted})" && cat > ${quoted}.tmp && chmod ${mode} ${quoted}.tmp && mv -f ${quoted}.tmp ${quoted}`;
}

/** The write command for `copyToHost`; CopyToRemote writes as the SSH user, so root-owned targets go through sudo. */
export function fileWriteCommand(path: string, mode: string, viaSudo: boolean): string {
  const write = writeStdinToFile(path, mode);
  return viaSudo ? `sudo -n sh -c '${write.replace(/'/g, `'\\''`)}'` : write;
}

export interface HostFileArgs {
  readonly content: pulumi.Input<string>;
  readonly path: string;
  /** @default "0644" */
  readonly mode?: string;
  /** Secret content always travels over the command's stdin, never as an asset. @default false */
  readonly secret?: boolean;
  /** The target is root-owned (e.g. /etc/systemd/system): write through `sudo -n` when the connection needs it. @default false */
  readonly asRoot?: boolean;
}

/**
 * Puts a file on the host. Over SSH, non-secret files use `remote.CopyToRemote`; secrets and local hosts
 * use a command that reads the content from stdin and writes it atomically with the right mode.
 */
export function copyToHost(name: string, access: HostAccess, file: HostFileArgs, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const mode = file.mode ?? "0644";
  const viaSudo = (file.asRoot ?? false) && needsSudo(access.connection);
  if (access.connection.type === "ssh" && !file.secret && !viaSudo) {
    const source = pulumi.output(file.content).apply((text) => new pulumi.asset.StringAsset(text));
    return new command.remote.CopyToRemote(name, { connection: sshConnection(access), source, remotePath: file.path, triggers: [file.content] }, opts);
  }
  const content = file.secret ? pulumi.secret(file.content) : file.content;
  return runOnHost(name, access, { create: fileWriteCommand(file.path, mode, viaSudo), stdin: content, triggers: [content] }, { ...opts, additionalSecretOutputs: file.secret ? ["stdin"] : undefined });
}
