import { TLS_FILES } from "./paths";
import { commonParameters, renderScriptFile, type ScriptContext } from "./render-script-common";

/** A listener address as a client on the host reaches it (0.0.0.0 → 127.0.0.1). */
export function localClientAddress(address: string): string {
  return address.replace("0.0.0.0", "127.0.0.1").replace("[::]", "[::1]");
}

/** verify.sh (scripts/verify.sh): the checks that must pass after every change, each failure named. */
export function renderVerifyScript(context: ScriptContext): string {
  const { host } = context;
  const tcp = host.buildkitd.grpc.tcpAddress;
  // The name the server certificate is checked against, also for supplied certificates without 127.0.0.1.
  const serverName = host.buildkitd.tls.serverNames[0] ?? (host.connection.type === "ssh" ? host.connection.host : "localhost");
  return renderScriptFile("verify.sh", [
    ...commonParameters(context),
    ["TCP_ADDR", tcp === undefined ? "" : localClientAddress(tcp)],
    ["TLS_SERVER_NAME", serverName],
    ["TLS_CA_FILE", TLS_FILES.ca],
    ["TLS_CLIENT_CERT_FILE", TLS_FILES.clientCert],
    ["TLS_CLIENT_KEY_FILE", TLS_FILES.clientKey],
    ["DEBUG_ADDR", localClientAddress(host.buildkitd.grpc.debugAddress)],
    ["UNIX_ADDR", host.buildkitd.worker.rootless ? "" : "unix:///run/buildkit/buildkitd.sock"],
    ["RETRIES", "15"],
    ["RETRY_DELAY", "2"],
  ]);
}

/** uninstall.sh: stop and disable the units, remove binaries, links and config; the cache stays unless purgeCacheOnDelete. */
export function renderUninstallScript(context: ScriptContext): string {
  return renderScriptFile("uninstall.sh", [...commonParameters(context), ["PURGE_CACHE", context.host.purgeCacheOnDelete ? "1" : "0"]]);
}

/** check-rootless.sh: reports every missing rootless prerequisite at once, with the fix. */
export function renderRootlessCheckScript(context: ScriptContext): string {
  return renderScriptFile("check-rootless.sh", [...commonParameters(context), ["PROC", "/proc"]]);
}
