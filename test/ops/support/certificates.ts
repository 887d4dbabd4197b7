import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export interface TestPki {
  readonly caCertPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** A CA, a server certificate for `serverName` valid `serverDays`, and a client certificate (openssl, in `dir`). */
export function makePki(dir: string, serverName: string, serverDays: number): TestPki {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(dir, ["req", "-x509", ...ec, "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "3650", "-subj", "/CN=test-ca"]);
  writeFileSync(path.join(dir, "server.ext"), `subjectAltName=DNS:${serverName}\nextendedKeyUsage=serverAuth\n`);
  writeFileSync(path.join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const [name, days] of [["server", serverDays], ["client", 3650]] as const) {
    openssl(dir, ["req", ...ec, "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${name === "server" ? serverName : "client"}`]);
    openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", `${name}.pem`, "-days", String(days), "-extfile", `${name}.ext`]);
  }
  const read = (file: string): string => readFileSync(path.join(dir, file), "utf8");
  return { caCertPem: read("ca.pem"), serverCertPem: read("server.pem"), serverKeyPem: read("server-key.pem"), clientCertPem: read("client.pem"), clientKeyPem: read("client-key.pem") };
}
