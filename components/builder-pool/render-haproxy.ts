/**
 * haproxy.cfg for a pool front (HAProxy 2.6, TCP mode). Pure: the same renderer serves SSH hosts, the
 * dev container and Kubernetes (a DNS server-template instead of a server list).
 *
 * Layers, for one client connection:
 *   1. frontend `front`: TLS with a client certificate required (verify required, ALPN h2). The team (CN)
 *      and class (OU) come from the VERIFIED certificate, never from SNI; each pair routes to its team.
 *   2. backend `team:<team>:<class>`: one server with maxconn = the team's quota. Over quota, builds wait
 *      in this queue (timeout queue), they are not failed.
 *   3. frontend `pool:<team>:<class>` on an abstract socket: sets the queue priority offset of the class.
 *   4. backend `builders`: one server per builder, maxconn = slots; excess waits in the shared queue,
 *      ordered by arrival time + class offset (aging: no class starves), re-encrypted with the front's
 *      client certificate, health from the drain agent.
 */

/** Files the front reads, absolute paths on the machine running HAProxy. */
export interface HaproxyFiles {
  /** Server certificate + key (PEM, one file) clients see. */
  readonly frontCertKey: string;
  /** The pool CA: clients' certificates are checked against it, and builders' server certificates too. */
  readonly poolCa: string;
  /** Client certificate + key (PEM, one file) the front presents to builders. */
  readonly backendClientCertKey: string;
}

export interface HaproxyTeam {
  readonly name: string;
  readonly className: string;
  readonly maxConcurrentBuilds: number;
}

export interface HaproxyServer {
  readonly name: string;
  /** host:port of buildkitd's TCP listener. */
  readonly address: string;
  /** Builds at once on this builder. */
  readonly slots: number;
}

/** Builders: a fixed list, or (Kubernetes) a DNS name resolved into up to `count` servers. */
export type HaproxyBackends =
  | { readonly kind: "servers"; readonly servers: readonly HaproxyServer[] }
  | { readonly kind: "dns"; readonly name: string; readonly port: number; readonly count: number; readonly slots: number; readonly nameservers: readonly string[] };

export interface HaproxyFrontOptions {
  readonly poolName: string;
  readonly listenAddress: string;
  readonly metricsAddress: string;
  readonly files: HaproxyFiles;
  /** Class names, highest priority first. */
  readonly classes: readonly string[];
  readonly agingSeconds: number;
  readonly teams: readonly HaproxyTeam[];
  readonly backends: HaproxyBackends;
  readonly queueTimeoutSeconds: number;
  readonly idleTimeoutSeconds: number;
  /** Drain agent port (`drain` / `up ready` / `down`); undefined checks TLS only (Kubernetes uses readiness). */
  readonly agentPort: number | undefined;
  /** Health check interval. @default 2 */
  readonly checkIntervalSeconds?: number;
  /** Runtime API socket (seamless reloads pass listeners through it). @default - none */
  readonly statsSocket?: string;
}

/** Queue offset of a class: k × aging step, in ms (HAProxy serves the lowest arrival time + offset first). */
export function classOffsetMs(classes: readonly string[], className: string, agingSeconds: number): number {
  const rank = classes.indexOf(className);
  if (rank < 0) throw new Error(`class "${className}" is not one of ${classes.join(", ")}`);
  return rank * agingSeconds * 1000;
}

/** Proxy names carry team and class so dashboards can label queues by both (`team:<team>:<class>`). */
export function teamBackendName(team: HaproxyTeam): string {
  return `team:${team.name}:${team.className}`;
}

function teamSocket(poolName: string, team: HaproxyTeam): string {
  return `abns@buildfarm-${poolName}-${team.name}`;
}

const SERVER_TLS = (files: HaproxyFiles) => `ssl verify required ca-file ${files.poolCa} crt ${files.backendClientCertKey} alpn h2`;

function json(fields: ReadonlyArray<[string, string]>): string {
  // Values are HAProxy log variables or fixed names checked by validate (no quotes or spaces in them).
  return `{${fields.map(([k, v]) => `\\"${k}\\":${v}`).join(",")}}`;
}

function str(value: string): string {
  return `\\"${value}\\"`;
}

function builderLines(options: HaproxyFrontOptions): string[] {
  const interval = `${options.checkIntervalSeconds ?? 2}s`;
  const agent = options.agentPort === undefined ? "" : ` agent-check agent-port ${options.agentPort} agent-inter ${interval}`;
  // A refused connection marks the builder down at once (a crashed daemon), so the retry is redispatched
  // to a live builder instead of leastconn picking the freshly emptied dead one again.
  const defaults = `  default-server ${SERVER_TLS(options.files)} check inter ${interval} fall 2 rise 2 observe layer4 error-limit 1 on-error mark-down${agent}`;
  const backends = options.backends;
  switch (backends.kind) {
    case "servers":
      return [defaults, ...backends.servers.map((s) => `  server ${s.name} ${s.address} maxconn ${s.slots}`)];
    case "dns":
      return [
        defaults,
        `  server-template builder- ${backends.count} ${backends.name}:${backends.port} maxconn ${backends.slots} resolvers pool-dns init-addr none`,
      ];
    default: {
      const unreachable: never = backends;
      throw new Error(`unknown backends kind ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The whole haproxy.cfg; deterministic for the same options. */
export function renderHaproxyConfig(options: HaproxyFrontOptions): string {
  const { files, poolName } = options;
  const teamAcls = options.teams.map((team) => `{ ssl_c_s_dn(CN) -m str ${team.name} } { ssl_c_s_dn(OU) -m str ${team.className} }`);
  const frontLog = json([
    ["pool", str(poolName)], ["stage", str("front")], ["team", str("%[ssl_c_s_dn(CN)]")], ["class", str("%[ssl_c_s_dn(OU)]")],
    ["client", str("%ci:%cp")], ["quota_wait_ms", "%Tw"], ["duration_ms", "%Tt"], ["backend", str("%b")], ["termination", str("%ts")], ["tls_verify", "%[ssl_c_verify]"],
  ]);
  const lines: string[] = [
    `# Managed by the buildfarm Pulumi program (BuilderPool ${poolName}). Do not edit: changes are overwritten.`,
    "global",
    "  master-worker",
    "  log stdout format raw local0 info",
    "  maxconn 4096",
    "  ssl-default-bind-options ssl-min-ver TLSv1.2",
    "  ssl-default-server-options ssl-min-ver TLSv1.2",
    ...(options.statsSocket ? [`  stats socket ${options.statsSocket} mode 600 level admin expose-fd listeners`] : []),
    "",
    "defaults",
    "  mode tcp",
    "  log global",
    "  timeout connect 5s",
    `  timeout client ${options.idleTimeoutSeconds}s`,
    `  timeout server ${options.idleTimeoutSeconds}s`,
    `  timeout queue ${options.queueTimeoutSeconds}s`,
    "  timeout check 5s",
    "  retries 3",
    "  option redispatch",
    "",
    "# Clients: TLS with a certificate from the pool CA required. Team (CN) and class (OU) are read from the",
    "# verified certificate; SNI is never consulted. Normal connections are logged once, by the pool stage.",
    "frontend front",
    `  bind ${options.listenAddress} ssl crt ${files.frontCertKey} ca-file ${files.poolCa} verify required alpn h2`,
    "  option dontlog-normal",
    `  log-format "${frontLog}"`,
    ...options.teams.map((team, i) => `  use_backend ${teamBackendName(team)} if ${teamAcls[i]}`),
    "  default_backend refused",
    "",
    "# A verified certificate whose team/class pair is not configured.",
    "backend refused",
    "  tcp-request content reject",
    "",
  ];
  for (const team of options.teams) {
    const offset = classOffsetMs(options.classes, team.className, options.agingSeconds);
    const poolLog = json([
      ["pool", str(poolName)], ["stage", str("pool")], ["team", str(team.name)], ["class", str(team.className)],
      ["client", str("%ci:%cp")], ["queue_wait_ms", "%Tw"], ["connect_ms", "%Tc"], ["duration_ms", "%Tt"], ["builder", str("%s")], ["termination", str("%ts")], ["bytes", "%B"],
    ]);
    lines.push(
      `# Team ${team.name}: at most ${team.maxConcurrentBuilds} builds at once; the rest wait here.`,
      `backend ${teamBackendName(team)}`,
      `  server quota ${teamSocket(poolName, team)} maxconn ${team.maxConcurrentBuilds} send-proxy-v2`,
      "",
      `frontend pool:${team.name}:${team.className}`,
      `  bind ${teamSocket(poolName, team)} accept-proxy`,
      `  log-format "${poolLog}"`,
      `  tcp-request content set-priority-offset int(${offset})`,
      "  default_backend builders",
      "",
    );
  }
  lines.push(
    "# Builders: one build per slot (maxconn); excess waits in this queue ordered by arrival + class offset.",
    "backend builders",
    "  balance leastconn",
    ...builderLines(options),
    "",
  );
  if (options.backends.kind === "dns") {
    lines.push("resolvers pool-dns", ...options.backends.nameservers.map((ns, i) => `  nameserver ns${i} ${ns}`), "  hold valid 5s", "");
  }
  lines.push(
    "frontend metrics",
    "  mode http",
    `  bind ${options.metricsAddress}`,
    "  timeout client 30s",
    "  no log",
    "  http-request use-service prometheus-exporter if { path /metrics }",
    "  http-request return status 404",
    "",
  );
  return lines.join("\n");
}
