/**
 * Client command lines for a builder with mTLS. The PEM files are expected in
 * `$HOME/.buildfarm/<builder>/` (docs/stacks.md shows how to write them from the stack outputs).
 */
export interface BuilderAddress {
  readonly name: string;
  /** e.g. "tcp://127.0.0.1:1234" */
  readonly endpoint: string;
  readonly serverName: string;
}

export function certificateDir(builder: string): string {
  return `$HOME/.buildfarm/${builder}`;
}

/** `buildctl` global flags: `buildctl <flags> build ...`. */
export function buildctlFlags(builder: BuilderAddress): string {
  const dir = certificateDir(builder.name);
  return `--addr ${builder.endpoint} --tlsservername ${builder.serverName} --tlscacert ${dir}/ca.pem --tlscert ${dir}/client.pem --tlskey ${dir}/client-key.pem`;
}

/** `docker buildx create` for buildx's remote driver (driver opts cacert/cert/key/servername). */
export function buildxCreateCommand(builder: BuilderAddress): string {
  const dir = certificateDir(builder.name);
  const opts = [`cacert=${dir}/ca.pem`, `cert=${dir}/client.pem`, `key=${dir}/client-key.pem`, `servername=${builder.serverName}`].join(",");
  return `docker buildx create --name ${builder.name} --driver remote --driver-opt ${opts} ${builder.endpoint}`;
}

/** Host clients use to reach ports published on `bindAddress` of the Docker host. */
export function publishedHost(dockerHost: string, bindAddress: string): string {
  const ssh = /^ssh:\/\/(?:[^@/]+@)?([^:/]+)/.exec(dockerHost);
  if (bindAddress === "0.0.0.0" || bindAddress === "::") return ssh?.[1] ?? "127.0.0.1";
  return bindAddress;
}
