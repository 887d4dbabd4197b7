import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

export interface BuilderTlsArgs {
  /** DNS names in the server certificate (the TLS server name clients use comes first). */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** @default 8760 (one year) */
  readonly validityHours?: number;
}

const KEY = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;

/**
 * A private CA with one server and one client certificate for the dev buildkitd's mTLS listener.
 * Private keys are Pulumi secrets (the tls provider marks them so).
 */
export class BuilderTls extends pulumi.ComponentResource {
  readonly caCertPem: pulumi.Output<string>;
  readonly serverCertPem: pulumi.Output<string>;
  readonly serverKeyPem: pulumi.Output<string>;
  readonly clientCertPem: pulumi.Output<string>;
  readonly clientKeyPem: pulumi.Output<string>;

  constructor(name: string, args: BuilderTlsArgs, opts?: pulumi.ComponentResourceOptions) {
    const validityHours = args.validityHours ?? 8760;
    super("buildfarm:index:BuilderTls", name, { dnsNames: args.dnsNames, ipAddresses: args.ipAddresses, validityHours, keyAlgorithm: "ECDSA-P256" }, opts);
    const child = { parent: this };
    const caKey = new tls.PrivateKey(`${name}-ca-key`, KEY, child);
    const ca = new tls.SelfSignedCert(`${name}-ca`, {
      privateKeyPem: caKey.privateKeyPem,
      isCaCertificate: true,
      validityPeriodHours: validityHours,
      earlyRenewalHours: 720,
      subject: { commonName: `${name} CA`, organization: "buildfarm" },
      allowedUses: ["cert_signing", "crl_signing"],
    }, child);
    const issue = (role: "server" | "client") => {
      const key = new tls.PrivateKey(`${name}-${role}-key`, KEY, child);
      const request = new tls.CertRequest(`${name}-${role}-csr`, {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: role === "server" ? (args.dnsNames[0] ?? "buildkitd") : "buildfarm-client", organization: "buildfarm" },
        ...(role === "server" ? { dnsNames: [...args.dnsNames], ipAddresses: [...args.ipAddresses] } : {}),
      }, child);
      const cert = new tls.LocallySignedCert(`${name}-${role}`, {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        caCertPem: ca.certPem,
        validityPeriodHours: validityHours,
        earlyRenewalHours: 720,
        allowedUses: role === "server" ? ["digital_signature", "key_encipherment", "server_auth"] : ["digital_signature", "key_encipherment", "client_auth"],
      }, child);
      return { certPem: cert.certPem, keyPem: pulumi.secret(key.privateKeyPem) };
    };
    const server = issue("server");
    const client = issue("client");
    this.caCertPem = ca.certPem;
    this.serverCertPem = server.certPem;
    this.serverKeyPem = server.keyPem;
    this.clientCertPem = client.certPem;
    this.clientKeyPem = client.keyPem;
    this.registerOutputs({ caCertPem: this.caCertPem, serverCertPem: this.serverCertPem, clientCertPem: this.clientCertPem });
  }
}
