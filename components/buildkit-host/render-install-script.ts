import { BUILDKIT_TARBALL_SHA256, type Arch } from "../../lib/versions";
import type { DownloadLimits } from "./args";
import type { ManagedFile } from "./managed-files";
import { commonParameters, renderScriptFile, type ScriptContext } from "./render-script-common";

export interface InstallScriptOptions extends ScriptContext {
  readonly downloadBaseUrl: string;
  /** "auto" detects the host's architecture with uname -m. */
  readonly arch: "auto" | Arch;
  /** Configured tarball digests; they win over the pins in lib/versions.ts. */
  readonly sha256: Readonly<Partial<Record<Arch, string>>>;
  readonly download: DownloadLimits;
  readonly files: readonly ManagedFile[];
  /** Prod: refuse a tarball without a pinned digest and http:// mirrors. @default false */
  readonly strict?: boolean;
}

/** The digest the host checks the tarball against: configuration first, then the repository's pin. */
export function expectedDigest(version: string, arch: Arch, configured: Readonly<Partial<Record<Arch, string>>>): string {
  return configured[arch] ?? BUILDKIT_TARBALL_SHA256[version]?.[arch] ?? "";
}

/**
 * install.sh, the apply step (scripts/install.sh): stages one complete release directory, switches it in
 * with one rename, restarts, verifies, rolls back. The release's files travel after the script as a payload
 * (`withPayload`), so one upload carries everything.
 */
export function renderInstallScript(options: InstallScriptOptions): string {
  const fileTable = options.files.map((f) => `${f.name}|${f.target}|${f.mode}|${f.daemonOwned ? "daemon" : "root"}`).join("\n");
  const { download } = options;
  return renderScriptFile("install.sh", [
    ...commonParameters(options),
    ["BASE_URL", options.downloadBaseUrl.replace(/\/+$/, "")],
    ["ARCH", options.arch],
    ["SHA256_AMD64", expectedDigest(options.version, "amd64", options.sha256)],
    ["SHA256_ARM64", expectedDigest(options.version, "arm64", options.sha256)],
    ["REQUIRE_PINNED_DIGEST", options.strict ? "1" : "0"],
    ["REQUIRE_HTTPS", options.strict ? "1" : "0"],
    ["CONNECT_TIMEOUT_SECONDS", String(download.connectTimeoutSeconds)],
    ["MAX_TIME_SECONDS", String(download.maxTimeSeconds)],
    ["LOW_SPEED_BYTES", String(download.lowSpeedBytesPerSecond)],
    ["LOW_SPEED_SECONDS", String(download.lowSpeedSeconds)],
    ["DOWNLOAD_ATTEMPTS", String(download.attempts)],
    ["DOWNLOAD_BACKOFF_SECONDS", String(download.backoffSeconds)],
    ["LOCK_WAIT_SECONDS", "600"],
    ["SOCKET_GROUP", options.host.buildkitd.grpc.socketGroup],
    ["GROUPADD", "groupadd"],
    ["CHOWN", "chown"],
    ["MANAGED_FILES", fileTable],
  ]);
}

export const PAYLOAD_MARKER = "__BUILDFARM_RELEASE_PAYLOAD__";

/** install.sh with the release's files after its final `exit`: `@file NAME` + base64 lines, in name order. */
export function withPayload(installScript: string, files: Readonly<Record<string, string>>): string {
  const entries = Object.keys(files).sort().map((name) => {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`release file name ${JSON.stringify(name)}: expected letters, digits, dot, dash, underscore`);
    const encoded = Buffer.from(files[name] as string, "utf8").toString("base64").replace(/.{1,76}/g, "$&\n");
    return `@file ${name}\n${encoded}`;
  });
  return `${installScript.trimEnd()}\n${PAYLOAD_MARKER}\n${entries.join("")}`;
}

/** The files a rendered install.sh carries (the inverse of `withPayload`); `{}` without a payload. */
export function readPayload(installScript: string): Record<string, string> {
  const at = installScript.indexOf(`\n${PAYLOAD_MARKER}\n`);
  if (at < 0) return {};
  const files: Record<string, string> = {};
  for (const entry of installScript.slice(at + PAYLOAD_MARKER.length + 2).split(/^@file /m).filter(Boolean)) {
    const [name = "", ...lines] = entry.split("\n");
    files[name] = Buffer.from(lines.join(""), "base64").toString("utf8");
  }
  return files;
}
