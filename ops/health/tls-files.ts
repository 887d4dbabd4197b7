import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { StackOutputValues } from "../../stacks/outputs";

/** PEM files buildctl reads for one builder; the folder is private (0700, keys 0600) and removed by `dispose`. */
export interface ClientTlsFiles {
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
  readonly dispose: () => Promise<void>;
}

/** Writes the CA, client certificate and client key of every builder that has a key in the outputs. */
export async function writeClientTlsFiles(outputs: StackOutputValues): Promise<{ files: Map<string, ClientTlsFiles>; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "buildfarm-health-"));
  const files = new Map<string, ClientTlsFiles>();
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  for (const [index, builder] of outputs.builders.entries()) {
    const key = outputs.builderClientKeys[builder.name];
    if (key === undefined) continue;
    const base = path.join(dir, String(index));
    const paths = { caCert: `${base}-ca.pem`, cert: `${base}-client.pem`, key: `${base}-client-key.pem` };
    await writeFile(paths.caCert, builder.caCertPem, { mode: 0o600 });
    await writeFile(paths.cert, builder.clientCertPem, { mode: 0o600 });
    await writeFile(paths.key, key, { mode: 0o600 });
    files.set(builder.name, { ...paths, dispose });
  }
  return { files, dispose };
}
