import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** A certificate and its key (the key is a Pulumi secret). */
export interface IssuedCertificate {
  readonly certPem: pulumi.Output<string>;
  readonly keyPem: pulumi.Output<string>;
}

export interface PoolIdentitiesRequest {
  readonly poolName: string;
  /** Names clients use for the front (DNS names or IPs). */
  readonly frontNames: readonly string[];
  readonly teams: ReadonlyArray<{ readonly name: string; readonly className: string }>;
  readonly validityHours: number;
}

/** The pool CA (its key signs pool builders' server certificates) and the identities it issues. */
export interface PoolIdentities {
  readonly caCertPem: pulumi.Output<string>;
  readonly caKeyPem: pulumi.Output<string>;
  readonly frontServer: IssuedCertificate;
  readonly frontClient: IssuedCertificate;
  readonly teams: Readonly<Record<string, IssuedCertificate>>;
}

const IP_PATTERN = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F:]+:[0-9a-fA-F:]*$/;
const SECRET_KEYS = { additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"] };

/**
 * Pool CA, the front's server and client certificates, and one client certificate per team whose subject
 * carries the team (CN) and class (OU): the front reads both from the verified certificate.
 */
export function createPoolIdentities(request: PoolIdentitiesRequest, parent: pulumi.Resource): PoolIdentities {
  const prefix = `${request.poolName}-pool`;
  const newKey = (name: string) => new tls.PrivateKey(name, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent, ...SECRET_KEYS });
  const caKey = newKey(`${prefix}-ca-key`);
  const ca = new tls.SelfSignedCert(`${prefix}-ca`, {
    privateKeyPem: caKey.privateKeyPem,
    isCaCertificate: true,
    validityPeriodHours: request.validityHours,
    earlyRenewalHours: 720,
    allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    subject: { commonName: `buildfarm ${request.poolName} pool CA`, organization: "buildfarm" },
  }, { parent });
  const issue = (name: string, subject: tls.types.input.CertRequestSubject, uses: string[], names: readonly string[] = []): IssuedCertificate => {
    const key = newKey(`${prefix}-${name}-key`);
    const csr = new tls.CertRequest(`${prefix}-${name}-csr`, {
      privateKeyPem: key.privateKeyPem,
      subject,
      dnsNames: names.filter((n) => !IP_PATTERN.test(n)),
      ipAddresses: names.filter((n) => IP_PATTERN.test(n)),
    }, { parent });
    const cert = new tls.LocallySignedCert(`${prefix}-${name}-cert`, {
      certRequestPem: csr.certRequestPem,
      caCertPem: ca.certPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      validityPeriodHours: request.validityHours,
      earlyRenewalHours: 720,
      allowedUses: uses,
    }, { parent });
    return { certPem: cert.certPem, keyPem: pulumi.secret(key.privateKeyPem) };
  };
  const clientUses = ["digital_signature", "key_encipherment", "client_auth"];
  const teams: Record<string, IssuedCertificate> = {};
  for (const team of request.teams) {
    teams[team.name] = issue(`team-${team.name}`, { commonName: team.name, organizationalUnit: team.className, organization: "buildfarm" }, clientUses);
  }
  return {
    caCertPem: ca.certPem,
    caKeyPem: pulumi.secret(caKey.privateKeyPem),
    frontServer: issue("front", { commonName: request.frontNames[0] ?? "localhost", organization: "buildfarm" }, ["digital_signature", "key_encipherment", "server_auth"], request.frontNames),
    frontClient: issue("front-client", { commonName: "pool-front", organization: "buildfarm" }, clientUses),
    teams,
  };
}
