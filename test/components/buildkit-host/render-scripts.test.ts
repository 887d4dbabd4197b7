import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { renderHost } from "../../../components/buildkit-host/render-host";
import { fullHostSettings, hostSettings, release } from "./fixtures";

const run = promisify(execFile);

async function shellcheck(scripts: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "bk-sc-"));
  const files = Object.entries(scripts).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
  try {
    await run("shellcheck", ["--shell=sh", "--severity=style", ...files]);
    return "";
  } catch (error) {
    return (error as { stdout: string }).stdout || String(error);
  }
}

describe("host scripts", () => {
  it.each([
    ["rootful with TLS and cache credentials", fullHostSettings(), true],
    ["rootless", fullHostSettings(true), true],
    ["minimal", hostSettings(), false],
  ])("pass shellcheck (%s)", async (_label, host, tls) => {
    const rendered = renderHost(host, release, { tls, cacheCredentials: tls, exporterProgram: tls, extraFiles: ["source-policy.json"] });
    expect(Object.keys(rendered.scripts)).toEqual(host.buildkitd.worker.rootless ? ["check-rootless.sh", "install.sh", "uninstall.sh", "verify.sh"] : ["install.sh", "uninstall.sh", "verify.sh"]);
    expect(await shellcheck(rendered.scripts)).toBe("");
  });

  it("shellcheck catches a broken script (the check can fail)", async () => {
    expect(await shellcheck({ "bad.sh": "#!/bin/sh\nrm -rf $DIR/*\n" })).toContain("SC2086");
  });

  it("bake in the pin, the mirror URL, the configured digest and the managed files with their modes", () => {
    const rendered = renderHost(fullHostSettings(), { ...release, downloadBaseUrl: "https://mirror.internal/buildkit", sha256: { amd64: "a".repeat(64) } }, { tls: true, cacheCredentials: true, exporterProgram: false });
    const install = rendered.scripts["install.sh"] as string;
    expect(install).toContain('VERSION="${VERSION:-v0.32.2}"');
    expect(install).toContain('BASE_URL="${BASE_URL:-https://mirror.internal/buildkit}"');
    expect(install).toContain(`SHA256_AMD64="\${SHA256_AMD64:-${"a".repeat(64)}}"`);
    expect(install).toContain("server-key.pem|/etc/buildkit/tls/server-key.pem|0600");
    expect(install).toContain("client-key.pem|/etc/buildkit/tls/client-key.pem|0600");
    expect(install).toContain("cache.env|/etc/buildkit/cache.env|0600");
    expect(install).toContain("50-buildkit-limits.conf|/etc/systemd/system/buildkit.service.d/50-buildkit-limits.conf|0644");
    const verify = rendered.scripts["verify.sh"] as string;
    expect(verify).toContain('TCP_ADDR="${TCP_ADDR:-tcp://127.0.0.1:1234}"');
    expect(verify).toContain('TLS_SERVER_NAME="${TLS_SERVER_NAME:-builder-1.build.internal}"');
    expect(verify).toContain('TLS_CLIENT_KEY_FILE="${TLS_CLIENT_KEY_FILE:-client-key.pem}"');
    expect(verify).toContain('--tlsservername "$TLS_SERVER_NAME" --tlscacert "$ROOT$TLS_DIR/$TLS_CA_FILE" --tlscert "$ROOT$TLS_DIR/$TLS_CLIENT_CERT_FILE" --tlskey "$ROOT$TLS_DIR/$TLS_CLIENT_KEY_FILE"');
  });
});
