import * as pulumi from "@pulumi/pulumi";
import { createTls, type TlsMaterial } from "../buildkit-host/tls";

export interface BuilderTlsArgs {
  /** Names the server certificate covers besides localhost/127.0.0.1; the first is the TLS server name. */
  readonly serverNames: readonly string[];
  /** @default 8760 (one year) */
  readonly validityHours?: number;
}

/**
 * The dev buildkitd's mTLS material: BuildkitHost's generator (CA, server and client certificates, keys
 * as secrets) under a component of its own, since the dev daemon is a container, not a BuildkitHost.
 */
export class BuilderTls extends pulumi.ComponentResource {
  readonly material: TlsMaterial;

  constructor(name: string, args: BuilderTlsArgs, opts?: pulumi.ComponentResourceOptions) {
    const validityHours = args.validityHours ?? 8760;
    super("buildfarm:index:BuilderTls", name, { serverNames: args.serverNames, validityHours }, opts);
    this.material = createTls({ name, mode: "generate", serverNames: args.serverNames, validityHours }, this);
    this.registerOutputs({ caCertPem: this.material.caCertPem, serverCertPem: this.material.serverCertPem, clientCertPem: this.material.clientCertPem });
  }
}
