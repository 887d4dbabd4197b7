import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderBuildxRemoteScript } from "../../../components/plugin-set/render-scripts";
import { run, tempDir } from "./helpers";

/** A stand-in docker-buildx that records its arguments and remembers created builders. */
function fakeBuildx(dir: string): void {
  const state = join(dir, "builders");
  writeFileSync(
    join(dir, "cli-plugins", "docker-buildx"),
    [
      "#!/bin/sh",
      'if [ "$1" = docker-cli-plugin-metadata ]; then echo \'{"SchemaVersion":"0.1.0","Vendor":"Docker Inc.","Version":"v0.30.1"}\'; exit 0; fi',
      `echo "$*" >> "${join(dir, "calls.log")}"`,
      'shift',
      'case "$1" in',
      `  inspect) for a in "$@"; do n=$a; done; grep -qx "$n" "${state}" 2>/dev/null ;;`,
      `  create) shift; while [ $# -gt 1 ]; do [ "$1" = --name ] && echo "$2" >> "${state}"; shift; done ;;`,
      `  rm) grep -vx "$2" "${state}" > "${state}.new"; mv "${state}.new" "${state}" ;;`,
      "esac",
      "",
    ].join("\n"),
  );
  chmodSync(join(dir, "cli-plugins", "docker-buildx"), 0o755);
}

describe("plugin-buildx-remote.sh through the real docker CLI", () => {
  const root = tempDir("buildx");
  const cfg = join(root, "docker");
  mkdirSync(join(cfg, "cli-plugins"), { recursive: true });
  fakeBuildx(cfg);
  const script = join(root, "plugin-buildx-remote.sh");
  writeFileSync(script, renderBuildxRemoteScript());
  for (const f of ["ca.pem", "cert.pem", "key.pem"]) writeFileSync(join(root, f), "pem");
  const env = { HOME: root, DOCKER_CONFIG: cfg };
  const args = ["buildfarm", "tcp://builder-1.build.internal:1234", join(root, "ca.pem"), join(root, "cert.pem"), join(root, "key.pem"), "builder-1.build.internal"];

  it("creates a remote-driver builder with mTLS and bootstraps it; re-running replaces it", () => {
    expect(run("sh", [script, ...args], env).status).toBe(0);
    expect(run("sh", [script, ...args], env).status).toBe(0);
    const calls = readFileSync(join(cfg, "calls.log"), "utf8").trim().split("\n");
    const create = `buildx create --name buildfarm --driver remote --driver-opt cacert=${join(root, "ca.pem")},cert=${join(root, "cert.pem")},key=${join(root, "key.pem")},servername=builder-1.build.internal --use tcp://builder-1.build.internal:1234`;
    expect(calls).toEqual([
      "buildx inspect buildfarm",
      create,
      "buildx inspect --bootstrap buildfarm",
      "buildx inspect buildfarm",
      "buildx rm buildfarm",
      create,
      "buildx inspect --bootstrap buildfarm",
    ]);
  });

  it("names the failing step: unreadable TLS files, or a non-TLS endpoint", () => {
    const missing = run("sh", [script, "buildfarm", "tcp://h:1234", join(root, "nope.pem"), join(root, "cert.pem"), join(root, "key.pem")], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`step 1/3 (TLS files): cannot read ${join(root, "nope.pem")}`);
    const plain = run("sh", [script, "buildfarm", "unix:///run/buildkit/buildkitd.sock", "a", "b", "c"], env);
    expect(plain.status).toBe(2);
    expect(plain.stderr).toContain("expected a tcp:// endpoint with TLS");
  });
});
