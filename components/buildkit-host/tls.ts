import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** TLS material a caller supplies instead of a generated CA (the production builder passes its own CA). */
export interface BuildkitTlsOverride {
  /** CA certificate clients trust and the daemon checks client certificates against. */
  readonly caCertPem: pulumi.Input<string>;
  /** CA private key used to sign this host's certificates when they are not supplied (secret). */
  readonly caPrivateKeyPem?: pulumi.Input<string>;
  /** Fully supplied server and client certificates and keys (keys are secrets). */
  readonly serverCertPem?: pulumi.Input<string>;
  readonly serverKeyPem?: pulumi.Input<string>;
  readonly clientCertPem?: pulumi.Input<string>;
  readonly clientKeyPem?: pulumi.Input<string>;
}

export interface TlsMaterial {
  readonly caCertPem: pulumi.Output<string>;
  readonly serverCertPem: pulumi.Output<string>;
  readonly serverKeyPem: pulumi.Output<string>;
  readonly clientCertPem: pulumi.Output<string>;
  readonly clientKeyPem: pulumi.Output<string>;
}

export interface TlsRequest {
  readonly name: string;
  readonly mode: "generate" | "supplied";
  /** DNS names and IP addresses the server certificate must cover. */
  readonly serverNames: readonly string[];
  readonly validityHours: number;
  readonly override?: BuildkitTlsOverride;
}

const IP_PATTERN = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F:]+:[0-9a-fA-F:]*$/;
const SECRET_KEYS = { additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"] };

function key(name: string, parent: pulumi.Resource): tls.PrivateKey {
  return new tls.PrivateKey(name, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent, ...SECRET_KEYS });
}

function signed(name: string, parent: pulumi.Resource, ca: { certPem: pulumi.Input<string>; keyPem: pulumi.Input<string> }, request: tls.CertRequestArgs, uses: string[], hours: number): { certPem: pulumi.Output<string>; keyPem: pulumi.Output<string> } {
  const privateKey = key(`${name}-key`, parent);
  const csr = new tls.CertRequest(`${name}-csr`, { ...request, privateKeyPem: privateKey.privateKeyPem }, { parent });
  const cert = new tls.LocallySignedCert(
    `${name}-cert`,
    { certRequestPem: csr.certRequestPem, caCertPem: ca.certPem, caPrivateKeyPem: pulumi.secret(ca.keyPem), validityPeriodHours: hours, earlyRenewalHours: 720, allowedUses: uses },
    { parent },
  );
  return { certPem: cert.certPem, keyPem: pulumi.secret(privateKey.privateKeyPem) };
}

/**
 * mTLS for the TCP listener: a CA (generated, or the caller's), a server certificate for the host's names
 * and 127.0.0.1 (verify.sh connects locally), and one client certificate. Private keys are secrets.
 */
export function createTls(request: TlsRequest, parent: pulumi.Resource): TlsMaterial {
  const o = request.override;
  if (request.mode === "supplied") {
    if (!o?.serverCertPem || !o.serverKeyPem || !o.clientCertPem || !o.clientKeyPem) {
      throw new pulumi.ResourceError(`buildkitd.tls.mode is "supplied" for host ${request.name}: expected caCertPem, serverCertPem, serverKeyPem, clientCertPem and clientKeyPem, got only some of them`, parent);
    }
    return {
      caCertPem: pulumi.output(o.caCertPem),
      serverCertPem: pulumi.output(o.serverCertPem),
      serverKeyPem: pulumi.secret(o.serverKeyPem),
      clientCertPem: pulumi.output(o.clientCertPem),
      clientKeyPem: pulumi.secret(o.clientKeyPem),
    };
  }
  let ca: { certPem: pulumi.Input<string>; keyPem: pulumi.Input<string> };
  if (o?.caPrivateKeyPem !== undefined) {
    ca = { certPem: o.caCertPem, keyPem: o.caPrivateKeyPem };
  } else {
    const caKey = key(`${request.name}-ca-key`, parent);
    const caCert = new tls.SelfSignedCert(
      `${request.name}-ca`,
      {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        validityPeriodHours: request.validityHours,
        earlyRenewalHours: 720,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        subject: { commonName: `buildfarm ${request.name} BuildKit CA`, organization: "buildfarm" },
      },
      { parent },
    );
    ca = { certPem: caCert.certPem, keyPem: caKey.privateKeyPem };
  }
  const names = [...new Set(["localhost", "127.0.0.1", "::1", ...request.serverNames])];
  const server = signed(
    `${request.name}-server`,
    parent,
    ca,
    { dnsNames: names.filter((n) => !IP_PATTERN.test(n)), ipAddresses: names.filter((n) => IP_PATTERN.test(n)), subject: { commonName: request.serverNames[0] ?? request.name, organization: "buildfarm" } },
    ["digital_signature", "key_encipherment", "server_auth"],
    request.validityHours,
  );
  const client = signed(`${request.name}-client`, parent, ca, { subject: { commonName: `buildfarm-client-${request.name}`, organization: "buildfarm" } }, ["digital_signature", "key_encipherment", "client_auth"], request.validityHours);
  return { caCertPem: pulumi.output(ca.certPem), serverCertPem: server.certPem, serverKeyPem: server.keyPem, clientCertPem: client.certPem, clientKeyPem: client.keyPem };
}
