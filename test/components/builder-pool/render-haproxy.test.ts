import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { builderPoolSchema, frontOptions, poolServers, renderHaproxyConfig, type HaproxyBackends } from "../../../components/builder-pool";
import { buildkitHostSchema } from "../../../components/buildkit-host";

const work = mkdtempSync(path.join(tmpdir(), "pool-render-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// haproxy -c loads the certificate files, so real (throwaway) PEMs stand in for the deployed ones.
execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path.join(work, "key.pem"), "-out", path.join(work, "cert.pem"), "-days", "1", "-subj", "/CN=render test"], { stdio: "ignore" });
execFileSync("sh", ["-c", `cat "${work}/cert.pem" "${work}/key.pem" > "${work}/both.pem"`]);
const files = { frontCertKey: path.join(work, "both.pem"), poolCa: path.join(work, "cert.pem"), backendClientCertKey: path.join(work, "both.pem") };

const hosts = ["builder-1", "builder-2"].map((name, i) =>
  buildkitHostSchema.parse({ name, connection: { type: "ssh", host: `10.0.0.${i + 1}` }, resources: { cpuQuota: i === 0 ? "400%" : "50%" }, buildkitd: { grpc: { tcpAddress: "tcp://0.0.0.0:1234" } } }),
);
const pool = builderPoolSchema.parse({
  name: "ci",
  builders: ["builder-1", "builder-2"],
  teams: [
    { name: "web", class: "release", maxConcurrentBuilds: 3 },
    { name: "api", class: "pull-request", maxConcurrentBuilds: 1 },
  ],
});

function haproxyCheck(config: string): string {
  const file = path.join(work, "haproxy.cfg");
  writeFileSync(file, config);
  return execFileSync("haproxy", ["-c", "-f", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("renderHaproxyConfig", () => {
  const servers: HaproxyBackends = { kind: "servers", servers: poolServers(pool, hosts) };
  const config = renderHaproxyConfig({ ...frontOptions(pool, servers, files), statsSocket: path.join(work, "admin.sock") });

  it("passes haproxy -c with a server list", () => {
    expect(haproxyCheck(config)).toContain("Configuration file is valid");
  });

  it("passes haproxy -c with a Kubernetes DNS server-template", () => {
    const dns: HaproxyBackends = { kind: "dns", name: "builders.buildfarm.svc.cluster.local", port: 1234, count: 8, slots: 2, nameservers: ["10.96.0.10:53"] };
    const rendered = renderHaproxyConfig({ ...frontOptions(pool, dns, files), agentPort: undefined });
    expect(haproxyCheck(rendered)).toContain("Configuration file is valid");
    expect(rendered).toContain("server-template builder- 8 builders.buildfarm.svc.cluster.local:1234 maxconn 2 resolvers pool-dns init-addr none");
    expect(rendered).not.toContain("agent-check");
  });

  it("requires a client certificate from the pool CA and h2 on the client listener", () => {
    expect(config).toContain(`bind 0.0.0.0:8443 ssl crt ${files.frontCertKey} ca-file ${files.poolCa} verify required alpn h2`);
  });

  it("routes by team and class from the verified certificate, never by SNI", () => {
    expect(config).toContain("use_backend team:web:release if { ssl_c_s_dn(CN) -m str web } { ssl_c_s_dn(OU) -m str release }");
    expect(config).toContain("use_backend team:api:pull-request if { ssl_c_s_dn(CN) -m str api } { ssl_c_s_dn(OU) -m str pull-request }");
    expect(config).not.toMatch(/ssl_fc_sni|req_ssl_sni|req\.ssl_sni/);
    expect(config).toMatch(/default_backend refused\n[\s\S]*backend refused\n {2}tcp-request content reject/);
  });

  it("caps each team at its quota with a queue, not a refusal", () => {
    expect(config).toContain("backend team:web:release\n  server quota abns@buildfarm-ci-web maxconn 3 send-proxy-v2");
    expect(config).toContain("backend team:api:pull-request\n  server quota abns@buildfarm-ci-api maxconn 1 send-proxy-v2");
    expect(config).toContain("timeout queue 1800s");
  });

  it("ages lower classes by a fixed offset instead of a strict class order", () => {
    expect(config).toMatch(/frontend pool:web:release\n[\s\S]*?set-priority-offset int\(0\)/);
    expect(config).toMatch(/frontend pool:api:pull-request\n[\s\S]*?set-priority-offset int\(120000\)/);
    expect(config).not.toContain("set-priority-class");
  });

  it("gives each builder slots derived from its CPUs, re-encrypting with the front's client certificate and the drain agent", () => {
    expect(config).toContain("  server builder-1 10.0.0.1:1234 maxconn 4\n  server builder-2 10.0.0.2:1234 maxconn 1");
    expect(config).toContain(`default-server ssl verify required ca-file ${files.poolCa} crt ${files.backendClientCertKey} alpn h2 check inter 2s fall 2 rise 2 observe layer4 error-limit 1 on-error mark-down agent-check agent-port 9470 agent-inter 2s`);
  });

  it("uses buildsPerBuilder over the CPU default", () => {
    const rendered = renderHaproxyConfig(frontOptions({ ...pool, buildsPerBuilder: 2 }, { kind: "servers", servers: poolServers({ ...pool, buildsPerBuilder: 2 }, hosts) }, files));
    expect(rendered).toContain("  server builder-1 10.0.0.1:1234 maxconn 2\n  server builder-2 10.0.0.2:1234 maxconn 2");
  });

  it("logs one JSON line per connection with team, class, queue wait, builder and termination state", () => {
    expect(config).toContain('log-format "{\\"pool\\":\\"ci\\",\\"stage\\":\\"pool\\",\\"team\\":\\"web\\",\\"class\\":\\"release\\",\\"client\\":\\"%ci:%cp\\",\\"queue_wait_ms\\":%Tw,\\"connect_ms\\":%Tc,\\"duration_ms\\":%Tt,\\"builder\\":\\"%s\\",\\"termination\\":\\"%ts\\",\\"bytes\\":%B}"');
    expect(config).toMatch(/frontend front\n[\s\S]*option dontlog-normal/);
  });

  it("serves HAProxy's Prometheus exporter", () => {
    expect(config).toContain("bind 0.0.0.0:8405\n  timeout client 30s\n  no log\n  http-request use-service prometheus-exporter if { path /metrics }");
  });

  it("is deterministic", () => {
    expect(renderHaproxyConfig({ ...frontOptions(pool, servers, files), statsSocket: path.join(work, "admin.sock") })).toBe(config);
  });
});
