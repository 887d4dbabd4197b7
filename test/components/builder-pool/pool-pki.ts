import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** PEM files made with the openssl CLI for the pool front tests (real certificates, throwaway keys). */
export interface PoolPki {
  readonly poolCa: string;
  readonly frontCertKey: string;
  readonly frontClientCertKey: string;
  readonly builderCert: string;
  readonly builderKey: string;
  /** Client identity files by name ("web", "other-ca", "expired", ...): cert and key paths. */
  readonly clients: Record<string, { cert: string; key: string }>;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function newCa(dir: string, name: string): void {
  openssl(dir, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/O=buildfarm/CN=${name}`]);
}

function extensions(dir: string, name: string, usage: "serverAuth" | "clientAuth"): string {
  const file = path.join(dir, `${name}.ext`);
  const san = usage === "serverAuth" ? "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2,IP:127.0.0.3\n" : "";
  writeFileSync(file, `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=${usage}\n${san}`);
  return file;
}

/** A leaf certificate signed by `ca`; `expired` backdates it with `openssl ca` so it is no longer valid. */
function leaf(dir: string, ca: string, name: string, subject: string, usage: "serverAuth" | "clientAuth", expired = false): void {
  openssl(dir, ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
  if (!expired) {
    openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-days", "1", "-extfile", extensions(dir, name, usage), "-out", `${name}.pem`]);
    return;
  }
  writeFileSync(path.join(dir, "index.txt"), "");
  writeFileSync(path.join(dir, "ca.cnf"), `[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\norganizationalUnitName=optional\norganizationName=optional\n`);
  writeFileSync(path.join(dir, "serial"), "1000\n");
  openssl(dir, ["ca", "-batch", "-config", "ca.cnf", "-cert", `${ca}.pem`, "-keyfile", `${ca}.key`, "-in", `${name}.csr`, "-out", `${name}.pem`, "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-extfile", extensions(dir, name, usage), "-notext"]);
}

function bundle(dir: string, name: string): string {
  const file = path.join(dir, `${name}.bundle.pem`);
  writeFileSync(file, readFileSync(path.join(dir, `${name}.pem`), "utf8") + readFileSync(path.join(dir, `${name}.key`), "utf8"));
  return file;
}

/** The pool CA, the front's server and client certificates, a builder certificate, and client identities. */
export function makePoolPki(dir: string, teams: ReadonlyArray<{ name: string; className: string }>): PoolPki {
  newCa(dir, "pool-ca");
  newCa(dir, "other-ca");
  leaf(dir, "pool-ca", "front", "/O=buildfarm/CN=localhost", "serverAuth");
  leaf(dir, "pool-ca", "front-client", "/O=buildfarm/CN=pool-front", "clientAuth");
  leaf(dir, "pool-ca", "builder", "/O=buildfarm/CN=builder", "serverAuth");
  const clients: Record<string, { cert: string; key: string }> = {};
  const add = (name: string) => (clients[name] = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) });
  for (const team of teams) {
    leaf(dir, "pool-ca", team.name, `/O=buildfarm/OU=${team.className}/CN=${team.name}`, "clientAuth");
    add(team.name);
  }
  const first = teams[0]!;
  leaf(dir, "other-ca", "other-ca-client", `/O=buildfarm/OU=${first.className}/CN=${first.name}`, "clientAuth");
  add("other-ca-client");
  leaf(dir, "pool-ca", "expired-client", `/O=buildfarm/OU=${first.className}/CN=${first.name}`, "clientAuth", true);
  add("expired-client");
  leaf(dir, "pool-ca", "unknown-team", `/O=buildfarm/OU=${first.className}/CN=nobody`, "clientAuth");
  add("unknown-team");
  leaf(dir, "pool-ca", "claimed-class", `/O=buildfarm/OU=release/CN=${teams[teams.length - 1]!.name}`, "clientAuth");
  add("claimed-class");
  return {
    poolCa: path.join(dir, "pool-ca.pem"),
    frontCertKey: bundle(dir, "front"),
    frontClientCertKey: bundle(dir, "front-client"),
    builderCert: path.join(dir, "builder.pem"),
    builderKey: path.join(dir, "builder.key"),
    clients,
  };
}
