import { X509Certificate } from "node:crypto";
import * as tls from "node:tls";
import { BUILDCTL_COMMANDS, buildctlRunner } from "../../components/monitoring/exporter/buildctl";
import { BUILDKIT_VERSION } from "../../lib/versions";
import type { BuilderOutput, StackOutputValues } from "../../stacks/outputs";
import { fail, pass, StepFailure, type HealthCheck } from "./check";
import type { ClientTlsFiles } from "./tls-files";

export interface BuilderCheckSettings {
  /** Path of the buildctl binary. */
  readonly buildctl: string;
  /** Certificates must stay valid at least this many days. */
  readonly certificateMinDays: number;
  readonly timeoutMs: number;
  readonly now: Date;
}

function buildctlFor(builder: BuilderOutput, tlsFiles: ClientTlsFiles, settings: BuilderCheckSettings) {
  return buildctlRunner({
    binary: settings.buildctl,
    addr: builder.endpoint,
    tlsCaCert: tlsFiles.caCert,
    tlsCert: tlsFiles.cert,
    tlsKey: tlsFiles.key,
    tlsServerName: builder.serverName,
    timeoutMs: settings.timeoutMs,
  });
}

async function runBuildctl(run: ReturnType<typeof buildctlRunner>, args: readonly string[], step: string): Promise<unknown> {
  let stdout: string;
  try {
    stdout = await run(args);
  } catch (error) {
    throw new StepFailure(step, (error as Error).message, "check the endpoint, that buildkitd runs (systemctl status buildkit) and that the CA/client certificate in the outputs match the daemon's");
  }
  try {
    return JSON.parse(stdout.trim().split("\n")[0] ?? "");
  } catch {
    throw new StepFailure(step, `buildctl ${args.slice(0, 2).join(" ")} printed no JSON`, "check --buildctl points at buildctl " + BUILDKIT_VERSION);
  }
}

/** Days between now and a certificate's notAfter (negative when expired). */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
}

/** The server certificate the daemon presents (handshake with the client identity, verified against the CA). */
function serverCertificate(builder: BuilderOutput, key: string, signal: AbortSignal): Promise<Date> {
  const match = /^tcp:\/\/(.+):(\d+)$/.exec(builder.endpoint);
  const [host, port] = [match?.[1] ?? "", Number(match?.[2])];
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: host.replace(/^\[|\]$/g, ""), port, servername: builder.serverName, ca: builder.caCertPem, cert: builder.clientCertPem, key, ALPNProtocols: ["h2"] });
    const stop = (): void => {
      socket.destroy();
      reject(new Error("aborted"));
    };
    signal.addEventListener("abort", stop, { once: true });
    socket.once("secureConnect", () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      signal.removeEventListener("abort", stop);
      resolve(new Date(peer.valid_to));
    });
    socket.once("error", (error) => {
      signal.removeEventListener("abort", stop);
      reject(error);
    });
  });
}

/** Three checks per builder: workers, version, certificates. */
export function builderChecks(outputs: StackOutputValues, tlsFiles: ReadonlyMap<string, ClientTlsFiles>, settings: BuilderCheckSettings): HealthCheck[] {
  return outputs.builders.flatMap((builder): HealthCheck[] => {
    const component = `builder ${builder.name}`;
    const files = tlsFiles.get(builder.name);
    const key = outputs.builderClientKeys[builder.name];
    if (files === undefined || key === undefined) {
      const missing = async () => fail("no client key", "client key", `builderClientKeys has no "${builder.name}"; re-run pulumi up or pass outputs written with --show-secrets`);
      return [{ component, check: "mTLS", run: missing }];
    }
    const run = buildctlFor(builder, files, settings);
    return [
      {
        component,
        check: "debug workers",
        run: async () => {
          const workers = (await runBuildctl(run, BUILDCTL_COMMANDS.workers, "buildctl debug workers")) as Array<{ platforms?: unknown[] }>;
          if (!Array.isArray(workers) || workers.length === 0) return fail("0 workers", "buildctl debug workers", "buildkitd runs without a worker: check its journal (journalctl -u buildkit) for the snapshotter/executor error");
          return pass(`${workers.length} worker(s), ${workers[0]?.platforms?.length ?? 0} platform(s)`);
        },
      },
      {
        component,
        check: "version",
        run: async () => {
          const info = (await runBuildctl(run, ["debug", "info", "--format", "{{json .}}"], "buildctl debug info")) as { buildkitVersion?: { version?: string } };
          const version = info.buildkitVersion?.version ?? "unknown";
          return version === BUILDKIT_VERSION ? pass(version) : fail(version, "version equals pinned " + BUILDKIT_VERSION, "roll the host to the pinned release: pulumi up (buildfarm:buildkit.version)");
        },
      },
      {
        component,
        check: "certificates",
        run: async (signal) => {
          const ownCerts = [["client", builder.clientCertPem], ["CA", builder.caCertPem]] as const;
          const dates: Array<[string, Date]> = ownCerts.map(([label, pem]) => [label, new Date(new X509Certificate(pem).validTo)]);
          try {
            dates.push(["server", await serverCertificate(builder, key, signal)]);
          } catch (error) {
            throw new StepFailure("TLS handshake", `${builder.endpoint}: ${(error as Error).message}`, "the daemon's certificate must be signed by the builder CA for " + builder.serverName);
          }
          const [label, soonest] = dates.reduce((a, b) => (b[1] < a[1] ? b : a));
          const days = daysLeft(soonest, settings.now);
          const measured = `${label} certificate: ${days} days left`;
          return days >= settings.certificateMinDays ? pass(measured) : fail(measured, `certificate valid ≥ ${settings.certificateMinDays} days`, "rotate the certificates: pulumi up replaces tls resources close to expiry (buildfarm:tls.validityHours)");
        },
      },
    ];
  });
}
