import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pluginSetSchema } from "../../../components/plugin-set/args";
import { installOrder, pluginLine, renderScriptArtifacts } from "../../../components/plugin-set/render-scripts";
import { HEALTH_SERVICE, HEALTH_TIMER, renderHealthService, renderHealthTimer } from "../../../components/plugin-set/render-units";
import { run, tempDir } from "./helpers";

const custom = pluginSetSchema.parse({
  required: [
    { name: "compose", version: "2.40.3", downloadBaseUrl: "https://mirror.example.com/compose/" },
    { name: "buildx", version: "v0.30.1" },
    { name: "scout", version: "v1.18.0", downloadBaseUrl: "https://mirror.example.com/scout/{version}", asset: "docker-scout_{version}_linux_{arch}", checksumFiles: ["SHA256SUMS"], sha256: { amd64: "a".repeat(64), arm64: "b".repeat(64) } },
  ],
  quarantineShadowed: true,
  quarantineDir: "/srv/quarantine",
});

describe("pluginSetSchema", () => {
  it("resolves {} to the documented defaults", () => {
    expect(pluginSetSchema.parse({})).toEqual({
      enabled: true,
      required: [
        { name: "buildx", version: "v0.30.1" },
        { name: "compose", version: "v2.40.3" },
      ],
      installDir: "/usr/local/lib/docker/cli-plugins",
      scriptDir: "/usr/local/lib/buildfarm/plugins",
      stateDir: "/var/lib/buildfarm/plugins",
      quarantineInvalid: true,
      quarantineDir: "/var/lib/buildfarm/plugin-quarantine",
      quarantineShadowed: false,
      configureBuildx: true,
      buildxBuilderName: "buildfarm",
      textfileDir: "/var/lib/prometheus/node-exporter",
      requirePinnedDigests: true,
      allowHttpMirrors: false,
      download: { connectTimeoutSeconds: 10, maxTimeSeconds: 300, lowSpeedBytesPerSecond: 1024, lowSpeedSeconds: 30, attempts: 3, retryDelaySeconds: 2 },
      enginePlugins: [],
    });
  });

  const messages = (input: unknown): string[] => {
    const result = pluginSetSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("rejects a buildx too old for compose", () => {
    expect(messages({ requirePinnedDigests: false, required: [{ name: "buildx", version: "v0.16.2" }, { name: "compose", version: "v2.40.3" }] })).toEqual([
      'required.0.version: expected buildx >= v0.17.0 because compose needs it (docker/compose#13295), got "v0.16.2"',
    ]);
  });

  it("needs release details for plugins outside the catalogue", () => {
    expect(messages({ requirePinnedDigests: false, required: [{ name: "scout", version: "v1.0.0" }] })).toEqual([
      'required.0.downloadBaseUrl: expected downloadBaseUrl for "scout", which is not in the known-plugins catalogue, got nothing',
      'required.0.asset: expected asset for "scout", which is not in the known-plugins catalogue, got nothing',
      'required.0.checksumFiles: expected checksumFiles for "scout", which is not in the known-plugins catalogue, got nothing',
    ]);
  });

  it("requires a pinned sha256 per architecture for a version lib/versions.ts does not pin, naming the key", () => {
    expect(messages({ required: [{ name: "buildx", version: "v0.31.0" }] })).toEqual(
      ["amd64", "arm64"].map((arch) => `required.0.sha256.${arch}: expected a sha256 pin for buildx v0.31.0 (linux/${arch}): lib/versions.ts has none, so supply the digest from upstream's published checksums (verified out of band), or pick a pinned version`),
    );
    expect(messages({ required: [{ name: "buildx", version: "v0.31.0", sha256: { amd64: "c".repeat(64), arm64: "d".repeat(64) } }] })).toEqual([]);
    expect(messages({ requirePinnedDigests: false, required: [{ name: "buildx", version: "v0.31.0" }] })).toEqual([]);
  });

  it("rejects a configured digest that contradicts the pin in lib/versions.ts", () => {
    expect(messages({ required: [{ name: "buildx", version: "v0.30.1", sha256: { amd64: "e".repeat(64) } }] })).toEqual([
      `required.0.sha256.amd64: expected the digest lib/versions.ts pins for buildx v0.30.1 (amd64), c37114fcd034025ec68e224657c8a5a850df472ded3ddcbca75ad3a7ebb9710d, got ${"e".repeat(64)}`,
    ]);
  });

  it("refuses plain-HTTP mirrors unless allowHttpMirrors is set", () => {
    expect(messages({ required: [{ name: "buildx", version: "v0.30.1", downloadBaseUrl: "http://mirror.example.com/buildx" }] })).toEqual([
      'required.0.downloadBaseUrl: expected an https:// mirror, got "http://mirror.example.com/buildx" (set buildfarm:plugins.allowHttpMirrors only for a test server)',
    ]);
    expect(messages({ allowHttpMirrors: true, required: [{ name: "buildx", version: "v0.30.1", downloadBaseUrl: "http://mirror.example.com/buildx" }] })).toEqual([]);
  });

  it("rejects duplicates, bad names, and install dirs the Docker CLI does not search", () => {
    expect(messages({ requirePinnedDigests: false, required: [{ name: "buildx", version: "v0.30.1" }, { name: "buildx", version: "v0.30.2" }] })).toEqual(['required.1.name: expected each plugin once, got "buildx" twice']);
    expect(messages({ required: [{ name: "Buildx", version: "v0.30.1" }] })[0]).toContain('expected a plugin name like "buildx"');
    expect(messages({ installDir: "/opt/plugins" })[0]).toMatch(/^installDir: /);
    expect(messages({ quarantineDir: "relative/dir" })[0]).toBe("quarantineDir: expected an absolute path of letters, digits, . _ - and /");
  });
});

describe("renderScriptArtifacts", () => {
  const artifacts = renderScriptArtifacts(custom);

  it("emits every script under plugins/, deterministically", () => {
    expect(artifacts.map((a) => a.path)).toEqual(["plugins/plugin-audit.sh", "plugins/plugin-repair.sh", "plugins/plugin-install.sh", "plugins/plugin-health.sh", "plugins/plugin-buildx-remote.sh"]);
    expect(renderScriptArtifacts(custom)).toEqual(artifacts);
  });

  it("passes shellcheck (every script, default and custom settings)", () => {
    const dir = tempDir("shellcheck");
    const files: string[] = [join(__dirname, "../../../components/plugin-set/scripts/plugin-buildx-tls.sh")];
    for (const [label, settings] of [["default", pluginSetSchema.parse({})], ["custom", custom]] as const) {
      for (const artifact of renderScriptArtifacts(settings)) {
        const file = join(dir, `${label}-${artifact.path.replace("plugins/", "")}`);
        writeFileSync(file, artifact.content as string);
        files.push(file);
      }
    }
    const result = run("shellcheck", ["--severity=style", ...files], {});
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
    for (const file of files) expect(run("dash", ["-n", file], {}).status, file).toBe(0);
  });

  it("renders pinned plugins, buildx first, with mirrors and checksum files", () => {
    const install = artifacts.find((a) => a.path === "plugins/plugin-install.sh")?.content as string;
    expect(install).toContain(
      [
        "[ -n \"${PLUGINS:-}\" ] || PLUGINS='buildx v0.30.1 buildx-{version}.linux-{arch} checksums.txt https://github.com/docker/buildx/releases/download/{version} amd64=c37114fcd034025ec68e224657c8a5a850df472ded3ddcbca75ad3a7ebb9710d,arm64=31d012d52d6df68aef4b55db62330967b562811f0de30cdfaa4505f314797c76",
        "compose v2.40.3 docker-compose-linux-{uarch} {asset}.sha256,checksums.txt https://mirror.example.com/compose/{version} amd64=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372,arm64=d26373b19e89160546d15407516cc59f453030d9bc5b43ba7faf16f7b4980137",
        `scout v1.18.0 docker-scout_{version}_linux_{arch} SHA256SUMS https://mirror.example.com/scout/{version} amd64=${"a".repeat(64)},arm64=${"b".repeat(64)}'`,
      ].join("\n"),
    );
    expect(installOrder(custom.required).map((p) => p.name)).toEqual(["buildx", "compose", "scout"]);
    expect(pluginLine({ name: "compose", version: "v2.40.3" })).toBe(
      "compose v2.40.3 docker-compose-linux-{uarch} {asset}.sha256,checksums.txt https://github.com/docker/compose/releases/download/{version} amd64=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372,arm64=d26373b19e89160546d15407516cc59f453030d9bc5b43ba7faf16f7b4980137",
    );
    expect(pluginLine({ name: "compose", version: "v2.41.0" })).toMatch(/ -$/);
    const repair = artifacts.find((a) => a.path === "plugins/plugin-repair.sh")?.content as string;
    expect(repair).toContain("[ -n \"${QUARANTINE_DIR:-}\" ] || QUARANTINE_DIR='/srv/quarantine'\n[ -n \"${QUARANTINE_SHADOWED:-}\" ] || QUARANTINE_SHADOWED='1'");
  });
});

describe("health units", () => {
  it("pass systemd-analyze verify", () => {
    const dir = tempDir("units");
    writeFileSync(join(dir, HEALTH_SERVICE), renderHealthService(custom));
    writeFileSync(join(dir, HEALTH_TIMER), renderHealthTimer());
    const result = run("systemd-analyze", ["verify", "--man=no", join(dir, HEALTH_TIMER), join(dir, HEALTH_SERVICE)], { SYSTEMD_LOG_LEVEL: "warning" });
    expect(result.stderr.split("\n").filter((l) => l.includes(dir))).toEqual([]);
    expect(result.status).toBe(0);
  });
});
