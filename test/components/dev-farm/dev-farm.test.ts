import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PINNED_IMAGES } from "../../../lib/versions";
import { dockerServiceSchema, isPinnedImage, renderContainer, renderExporterDockerfile, renderMinioUserScript, exporterImageName } from "../../../components/dev-farm";

describe("isPinnedImage", () => {
  it("accepts exact versions, MinIO release stamps, digests and content-hash tags", () => {
    for (const image of ["docker.io/moby/buildkit:v0.32.2-rootless", "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z", "prom/prometheus:v2.55.1",
      `alpine@sha256:${"a".repeat(64)}`, "buildfarm/insights-exporter:src-0123456789ab"]) {
      expect(isPinnedImage(image), image).toBe(true);
    }
  });
  it("rejects floating tags and untagged names", () => {
    for (const image of ["moby/buildkit", "moby/buildkit:latest", "moby/buildkit:rootless", "node:20", "minio/minio:edge"]) expect(isPinnedImage(image), image).toBe(false);
  });
});

describe("renderContainer", () => {
  const placement = { namePrefix: "buildfarm", bindAddress: "127.0.0.1" };
  const service = { service: "minio", image: "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z", memory: "1GiB", cpus: 1.5, ports: [{ internal: 9000, external: 19000 }], volumes: [{ name: "data", containerPath: "/data" }], healthcheck: { test: ["mc", "ready", "local"] } };

  it("limits memory without extra swap, publishes on the bind address, keeps data in a named volume", () => {
    const rendered = renderContainer(dockerServiceSchema.parse(service), placement);
    expect(rendered).toMatchObject({
      name: "buildfarm-minio",
      memory: 1024,
      memorySwap: 1024,
      cpus: "1.50",
      restart: "unless-stopped",
      wait: true,
      ports: [{ internal: 9000, external: 19000, ip: "127.0.0.1", protocol: "tcp" }],
      volumes: [{ volumeName: "buildfarm-minio-data", containerPath: "/data", readOnly: false }],
      healthcheck: { tests: ["CMD", "mc", "ready", "local"], interval: "30s", timeout: "5s", retries: 3, startPeriod: "20s" },
      securityOpts: ["no-new-privileges:true"],
    });
  });

  it("runs a one-shot job to completion instead of restarting it", () => {
    const rendered = renderContainer(dockerServiceSchema.parse({ service: "setup", image: service.image, oneShot: true }), placement);
    expect(rendered).toMatchObject({ restart: "no", mustRun: false, attach: true, logs: true, wait: false });
    expect(rendered.healthcheck).toBeUndefined();
  });

  it("refuses a long-running service without a health check, and a floating image", () => {
    const missing = dockerServiceSchema.safeParse({ service: "minio", image: service.image });
    expect(missing.error?.issues.map((i) => i.message)).toEqual(['expected a health check for the long-running service "minio"']);
    const floating = dockerServiceSchema.safeParse({ ...service, image: "minio/minio:latest" });
    expect(floating.error?.issues.map((i) => i.message)).toEqual(['expected an image pinned to an exact tag or digest, got "minio/minio:latest"']);
  });
});

describe("exporter image", () => {
  it("builds from the pinned Node and BuildKit images and runs as the node user", () => {
    const dockerfile = renderExporterDockerfile();
    expect(dockerfile).toContain(`FROM ${PINNED_IMAGES.buildkitRootless} AS buildkit`);
    expect(dockerfile).toContain(`FROM ${PINNED_IMAGES.node}\n`);
    expect(PINNED_IMAGES.buildkitRootless).toMatch(/^docker\.io\/moby\/buildkit:v0\.32\.2-rootless@sha256:[a-f0-9]{64}$/);
    expect(dockerfile).toContain("USER node");
  });
  it("is tagged by a hash of its inputs", () => {
    expect(exporterImageName(["a", "b"])).toMatch(/^buildfarm\/insights-exporter:src-[a-f0-9]{12}$/);
    expect(exporterImageName(["a", "b"])).toBe(exporterImageName(["a", "b"]));
    expect(exporterImageName(["a", "b"])).not.toBe(exporterImageName(["ab"]));
  });
});

describe("renderMinioUserScript (run for real with a recording fake mc)", () => {
  const script = renderMinioUserScript({ policyName: "buildfarm-cache-writer", mcAlias: "buildfarmcache" });

  it("passes shellcheck", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "minio-user-"));
    writeFileSync(path.join(dir, "setup-user.sh"), script);
    expect(() => execFileSync("shellcheck", [path.join(dir, "setup-user.sh")])).not.toThrow();
  });

  /** A fake mc that logs its arguments and reports the policy as attached once `attach` ran. */
  function fakeMc(dir: string): string {
    const mc = path.join(dir, "mc");
    writeFileSync(mc, `#!/bin/sh
echo "$*" >> "${dir}/calls"
case "$1 $2 $3" in
  "admin user info") if grep -q "policy attach" "${dir}/calls"; then echo "PolicyName: buildfarm-cache-writer"; fi ;;
esac
exit 0
`);
    chmodSync(mc, 0o755);
    return mc;
  }

  it("creates the policy and user, attaches the policy once, and never passes keys to other commands", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "minio-user-"));
    writeFileSync(path.join(dir, "setup-user.sh"), script);
    const env = { PATH: process.env.PATH, MC: fakeMc(dir), BUILDFARM_SETUP_DIR: dir, MC_HOST_buildfarmcache: "http://admin:pw@minio:9000", CACHE_ACCESS_KEY_ID: "BUILDER", CACHE_SECRET_ACCESS_KEY: "s3cret" };
    for (let i = 0; i < 2; i++) expect(spawnSync("sh", [path.join(dir, "setup-user.sh")], { env, encoding: "utf8" }).status).toBe(0);
    const calls = readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
    expect(calls.filter((c) => c.startsWith("admin policy attach"))).toEqual(["admin policy attach buildfarmcache buildfarm-cache-writer --user BUILDER"]);
    expect(calls.filter((c) => c.startsWith("admin user add"))).toHaveLength(2);
    expect(calls[0]).toBe(`admin policy create buildfarmcache buildfarm-cache-writer ${dir}/cache-user-policy.json`);
  });

  it("stops with a clear message when a key is missing", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "minio-user-"));
    writeFileSync(path.join(dir, "setup-user.sh"), script);
    const result = spawnSync("sh", [path.join(dir, "setup-user.sh")], { env: { PATH: process.env.PATH, MC: fakeMc(dir), MC_HOST_buildfarmcache: "http://a:b@minio:9000" }, encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("CACHE_ACCESS_KEY_ID is not set");
  });
});
