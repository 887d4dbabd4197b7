import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** The production builders' own CA: nothing signed by a dev or shared CA is accepted by them. */
export interface ProductionCa {
  readonly certPem: pulumi.Output<string>;
  /** Secret. */
  readonly privateKeyPem: pulumi.Output<string>;
}

export interface ClientCertificate {
  readonly certPem: pulumi.Output<string>;
  /** Secret. */
  readonly privateKeyPem: pulumi.Output<string>;
}

/** Five years: the CA outlives several rotations of the certificates it signs. */
export const PRODUCTION_CA_VALIDITY_HOURS = 43800;

export function createProductionCa(name: string, parent: pulumi.Resource): ProductionCa {
  const key = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, { parent, additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"] });
  const cert = new tls.SelfSignedCert(`${name}-ca`, {
    privateKeyPem: key.privateKeyPem,
    isCaCertificate: true,
    validityPeriodHours: PRODUCTION_CA_VALIDITY_HOURS,
    earlyRenewalHours: 720,
    allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    subject: { commonName: `buildfarm production builder CA (${name})`, organization: "buildfarm", organizationalUnit: "prod" },
  }, { parent });
  return { certPem: cert.certPem, privateKeyPem: pulumi.secret(key.privateKeyPem) };
}

/** A client certificate for the release gate, signed by the production CA. */
export function createGateClientCertificate(name: string, ca: ProductionCa, validityHours: number, parent: pulumi.Resource): ClientCertificate {
  const key = new tls.PrivateKey(`${name}-gate-client-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent, additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"] });
  const request = new tls.CertRequest(`${name}-gate-client-csr`, {
    privateKeyPem: key.privateKeyPem,
    subject: { commonName: "prod-build-gate", organization: "buildfarm", organizationalUnit: "prod" },
  }, { parent });
  const cert = new tls.LocallySignedCert(`${name}-gate-client-cert`, {
    certRequestPem: request.certRequestPem,
    caCertPem: ca.certPem,
    caPrivateKeyPem: ca.privateKeyPem,
    validityPeriodHours: validityHours,
    earlyRenewalHours: Math.min(720, Math.floor(validityHours / 4)),
    allowedUses: ["client_auth", "digital_signature", "key_encipherment"],
  }, { parent });
  return { certPem: cert.certPem, privateKeyPem: pulumi.secret(key.privateKeyPem) };
}
