import { chmodSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { OUTPUTS_VERSION, type StackOutputValues } from "../../../stacks/outputs";
import type { TestPki } from "./certificates";

const FIXTURES = path.resolve(__dirname, "../../fixtures/buildkit-v0.32.2");

/**
 * A fake buildctl: checks the TLS files it is given exist, hangs for the address in HANG_ADDR, prints the
 * recorded v0.32.2 answers otherwise (FAKE_BUILDKIT_VERSION replaces the version in `debug info`).
 */
export function writeFakeBuildctl(dir: string): string {
  const file = path.join(dir, "buildctl");
  writeFileSync(
    file,
    `#!/usr/bin/env bash
set -euo pipefail
addr="" ; cmd=""
while [ $# -gt 0 ]; do
  case "$1" in
    --addr) addr="$2"; shift 2 ;;
    --tlscacert|--tlscert|--tlskey) [ -s "$2" ] || { echo "missing $1 file" >&2; exit 1; }; shift 2 ;;
    --tlsservername) shift 2 ;;
    debug) cmd="$2"; break ;;
    *) shift ;;
  esac
done
if [ -n "\${HANG_ADDR:-}" ] && [ "$addr" = "$HANG_ADDR" ]; then sleep 30; fi
case "$cmd" in
  workers) cat "${FIXTURES}/buildctl-debug-workers.json" ;;
  info) sed "s/v0.32.2/\${FAKE_BUILDKIT_VERSION:-v0.32.2}/" "${FIXTURES}/buildctl-debug-info.json" ;;
  *) echo "unexpected $cmd" >&2; exit 1 ;;
esac
`,
  );
  chmodSync(file, 0o755);
  return file;
}

export interface FarmEndpoints {
  readonly builders: ReadonlyArray<{ name: string; port: number }>;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly grafanaUrl: string;
  readonly dashboards: ReadonlyArray<{ uid: string; title: string }>;
  readonly s3Endpoint: string;
  readonly bucket: string;
}

/** Stack outputs (contract version) pointing at local servers. */
export function fakeOutputs(pki: TestPki, farm: FarmEndpoints): StackOutputValues {
  const cacheFlag = `type=s3,region=us-east-1,bucket=${farm.bucket},endpoint_url=${farm.s3Endpoint},use_path_style=true,prefix=buildkit-cache/`;
  return {
    outputsVersion: OUTPUTS_VERSION,
    environment: "dev",
    builders: farm.builders.map(({ name, port }) => ({
      name,
      role: "shared",
      endpoint: `tcp://127.0.0.1:${port}`,
      serverName: "builder.test",
      platforms: [],
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
      caCertPem: pki.caCertPem,
      clientCertPem: pki.clientCertPem,
      buildctlCommand: `buildctl --addr tcp://127.0.0.1:${port} debug workers`,
      buildxCreateCommand: `docker buildx create --driver remote tcp://127.0.0.1:${port}`,
    })),
    builderClientKeys: Object.fromEntries(farm.builders.map(({ name }) => [name, pki.clientKeyPem])),
    cache: { backend: "s3-compatible", bucket: farm.bucket, region: "us-east-1", endpoint: farm.s3Endpoint, prefix: "buildkit-cache", importCache: cacheFlag, exportCache: cacheFlag, cacheFrom: cacheFlag, cacheTo: cacheFlag },
    cacheCredentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    prometheusUrl: farm.prometheusUrl,
    alertmanagerUrl: farm.alertmanagerUrl,
    grafanaUrl: farm.grafanaUrl,
    grafanaAdminPassword: "admin-password",
    grafanaDashboards: farm.dashboards.map(({ uid, title }) => ({ uid, title, url: `${farm.grafanaUrl}/d/${uid}` })),
    pluginInventory: [],
    prodGate: null,
  };
}
