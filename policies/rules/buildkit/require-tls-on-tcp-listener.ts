import { environmentConfigSchema, environmentOf, forTypes, type BuildfarmResourcePolicy } from "../lib/policy";
import { buildkitView } from "../lib/buildkit";
import { COMPONENT } from "../lib/types";

export const requireTlsOnTcpListener: BuildfarmResourcePolicy = {
  name: "buildfarm-buildkit-tcp-tls",
  description: "A buildkitd TCP gRPC listener requires TLS, and mutual TLS (client certificates verified against a CA) in prod.",
  remediationSteps:
    "Set buildkitd.tls.mode to \"generate\" (a CA and certificates from @pulumi/tls) or \"supplied\", or drop grpc.tcpAddress and use " +
    "the Unix socket. A TCP listener without mTLS lets any build container on the network drive the daemon.",
  configSchema: environmentConfigSchema,
  validateResource: forTypes([COMPONENT.buildkitHost], (props, args, reportViolation) => {
    const view = buildkitView(props);
    if (view.tcpAddresses.length === 0) return;
    const listeners = view.tcpAddresses.join(", ");
    const tomlHasTls = view.tomlTls?.cert !== undefined && view.tomlTls.key !== undefined;
    if (view.tlsMode === "none" || (view.hasToml && !tomlHasTls)) {
      reportViolation(`TCP listener ${listeners} has no TLS (tls.mode ${JSON.stringify(view.tlsMode ?? null)}, [grpc.tls] cert/key ${tomlHasTls ? "set" : "missing"})`);
      return;
    }
    if (environmentOf(props, args.getConfig()) === "prod" && view.hasToml && view.tomlTls?.ca === undefined) {
      reportViolation(`TCP listener ${listeners} does not verify client certificates ([grpc.tls] has no ca): prod requires mTLS`);
    }
  }),
};
