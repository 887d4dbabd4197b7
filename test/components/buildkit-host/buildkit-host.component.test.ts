import * as pulumi from "@pulumi/pulumi";
import * as publicSettings from "@pulumi/pulumi/runtime/settings";
import { describe, expect, it } from "vitest";
import type { BuildkitHostInput } from "../../../components/buildkit-host/args";
import { mockCall, mockState } from "../../../lib/plan/mock-state";
import { redactSecretInputs, resolveDeep, SECRET_PLACEHOLDER } from "../../../lib/plan/resolve";
import { hostSettings, release } from "./fixtures";

const settings = publicSettings as typeof publicSettings & { _reset(): void; waitForRPCs(): Promise<void> };

interface Registered {
  type: string;
  name: string;
  parent: string;
  props: Record<string, unknown>;
}

/** Builds BuildkitHost components under mocks and returns every registration (components included) plus the hosts. */
async function buildHosts(hosts: Array<Partial<BuildkitHostInput> & { name: string }>) {
  settings._reset();
  await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: mockState(a) }), call: mockCall }, "buildfarm", "test", false);
  const registered: Registered[] = [];
  const monitor = settings.getMonitor() as unknown as { registerResource(req: any, cb: (err: unknown, res: any) => void): Promise<void> };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    original(req, (err, res) => {
      if (!err && res) registered.push({ type: req.getType(), name: req.getName(), parent: req.getParent(), props: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown> });
      cb(err, res);
    });
  const { BuildkitHost } = await import("../../../components/buildkit-host");
  const components = hosts.map((h) => {
    return new BuildkitHost(h.name, {
      settings: hostSettings(h),
      release,
      environment: "prod",
      sshPrivateKey: pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\nssh-secret\n-----END OPENSSH PRIVATE KEY-----"),
      cacheCredentials: pulumi.secret({ AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "s3-secret-value" }),
    });
  });
  const outputs = await Promise.all(components.map(async (c) => (await resolveDeep({ clientKeyPem: c.clientKeyPem, buildctl: c.buildctlCommand, buildx: c.buildxCreateCommand, endpoints: c.grpcEndpoints, metrics: c.metricsUrl, version: c.installedVersion, ca: c.caCertPem })) as Record<string, unknown>));
  const artifacts = await Promise.all(components.flatMap((c) => c.artifacts.map(async (a) => ({ path: a.path, content: String(await resolveDeep(a.content)) }))));
  await settings.waitForRPCs();
  return { registered, outputs, artifacts };
}

const tcpHost = (name: string, extra: Partial<BuildkitHostInput> = {}) => ({
  name,
  connection: { type: "ssh" as const, host: `${name}.build.internal`, useAgent: false },
  buildkitd: { grpc: { tcpAddress: "tcp://0.0.0.0:1234", debugAddress: "0.0.0.0:6060" }, ...(extra.buildkitd ?? {}) },
});

describe("BuildkitHost", () => {
  it("wires TLS, one release upload and one apply step under the component", async () => {
    const { registered } = await buildHosts([tcpHost("builder-1")]);
    const component = registered.find((r) => r.type === "buildfarm:index:BuildkitHost");
    expect(component?.props).toMatchObject({ host: "builder-1", role: "shared", environment: "prod", version: "v0.32.2", tlsOnTcp: true });
    expect(String(component?.props.buildkitdToml)).toContain('address = [ "unix:///run/buildkit/buildkitd.sock", "tcp://0.0.0.0:1234" ]');
    expect(Object.keys(component?.props.units as object)).toContain("buildkit-insights-exporter.service");
    const children = registered.filter((r) => r.type !== "buildfarm:index:BuildkitHost").map((r) => `${r.type} ${r.name}`).sort();
    expect(children).toEqual(
      [
        "command:remote:Command builder-1-install",
        "command:remote:Command builder-1-release",
        "tls:index/certRequest:CertRequest builder-1-client-csr",
        "tls:index/certRequest:CertRequest builder-1-server-csr",
        "tls:index/locallySignedCert:LocallySignedCert builder-1-client-cert",
        "tls:index/locallySignedCert:LocallySignedCert builder-1-server-cert",
        "tls:index/privateKey:PrivateKey builder-1-ca-key",
        "tls:index/privateKey:PrivateKey builder-1-client-key",
        "tls:index/privateKey:PrivateKey builder-1-server-key",
        "tls:index/selfSignedCert:SelfSignedCert builder-1-ca",
      ].sort(),
    );
    const install = registered.find((r) => r.name === "builder-1-install");
    const upload = registered.find((r) => r.name === "builder-1-release");
    const digest = /release-sha256 ([a-f0-9]{64});/.exec(String(install?.props.create))?.[1];
    expect(install?.props.create).toBe(`: buildkit v0.32.2 release-sha256 ${digest}; sh '/var/lib/buildfarm/buildkit/staging/install.sh'`);
    expect(install?.props.update).toBe(install?.props.create);
    expect(install?.props.delete).toBe("sh -c 'test ! -f /opt/buildkit/current/files/uninstall.sh || sh /opt/buildkit/current/files/uninstall.sh'");
    // The upload's trigger is the digest the apply step names: a new release re-uploads and re-applies.
    expect(upload?.props.triggers).toEqual([digest]);
    expect(upload?.props.create).toContain("/var/lib/buildfarm/buildkit/staging/install.sh");
    const serverCsr = registered.find((r) => r.name === "builder-1-server-csr");
    expect(serverCsr?.props.dnsNames).toEqual(["localhost", "builder-1.build.internal"]);
    expect(serverCsr?.props.ipAddresses).toEqual(["127.0.0.1", "::1"]);
  });

  it("keeps private keys, credentials and the SSH key secret in inputs, outputs and artifacts", async () => {
    const { registered, outputs, artifacts } = await buildHosts([tcpHost("builder-1")]);
    const upload = redactSecretInputs(registered.find((r) => r.name === "builder-1-release")?.props) as Record<string, unknown>;
    expect(upload.stdin).toBe(SECRET_PLACEHOLDER);
    expect(upload.create).toMatch(/umask 077 .*chmod 0700/);
    const all = JSON.stringify(redactSecretInputs(registered.map((r) => r.props)));
    for (const secret of ["PRIVATE KEY", "ssh-secret", "s3-secret-value", "AKIAEXAMPLE"]) expect(all).not.toContain(secret);
    expect(outputs[0]?.clientKeyPem).toBe(SECRET_PLACEHOLDER);
    expect(JSON.stringify(artifacts)).not.toMatch(/PRIVATE KEY|s3-secret-value/);
    expect(outputs[0]).toMatchObject({
      endpoints: ["tcp://builder-1.build.internal:1234", "unix:///run/buildkit/buildkitd.sock"],
      metrics: "http://builder-1.build.internal:6060/metrics",
      version: "v0.32.2",
      buildctl: "buildctl --addr tcp://builder-1.build.internal:1234 --tlsservername builder-1.build.internal --tlscacert ca.pem --tlscert client.pem --tlskey client-key.pem debug workers",
      buildx: "docker buildx create --name builder-1 --driver remote --driver-opt servername=builder-1.build.internal,cacert=$PWD/ca.pem,cert=$PWD/client.pem,key=$PWD/client-key.pem tcp://builder-1.build.internal:1234",
    });
    expect(String(outputs[0]?.ca)).toContain("BEGIN CERTIFICATE");
    expect(artifacts.map((a) => a.path).sort()).toEqual(
      ["50-buildkit-limits.conf", "buildkit-insights-exporter.service", "buildkit.service", "buildkit.socket", "buildkitd.toml", "install.sh", "uninstall.sh", "verify.sh"].map((f) => `hosts/builder-1/${f}`),
    );
  });

  it("runs host-changing commands through sudo for a non-root SSH user", async () => {
    const { registered } = await buildHosts([{ name: "builder-3", connection: { type: "ssh", host: "builder-3.build.internal", user: "buildkit-admin", useAgent: true } }]);
    const install = registered.find((r) => r.name === "builder-3-install");
    expect(install?.props.create).toMatch(/; sudo -n sh '\/var\/lib\/buildfarm\/buildkit\/staging\/install\.sh'$/);
    expect(install?.props.delete).toMatch(/^sudo -n sh -c 'test ! -f \/opt\/buildkit\/current\/files\/uninstall\.sh/);
    expect(registered.find((r) => r.name === "builder-3-release")?.props.create).toMatch(/^sudo -n sh -c 'umask 077/);
    // No TCP listener: no certificates at all.
    expect(registered.filter((r) => r.type.startsWith("tls:"))).toEqual([]);
  });

  it("changes only that host's resources when one host's settings change", async () => {
    const before = await buildHosts([tcpHost("builder-1"), tcpHost("builder-2")]);
    const after = await buildHosts([tcpHost("builder-1"), tcpHost("builder-2", { buildkitd: { grpc: { tcpAddress: "tcp://0.0.0.0:1234", debugAddress: "0.0.0.0:6060" }, worker: { maxParallelism: 16 } } })]);
    // Compare the raw inputs, secrets included: the engine diffs secret values too.
    const byName = (run: typeof before) => new Map(run.registered.map((r) => [`${r.type} ${r.name}`, JSON.stringify(r.props)]));
    const [a, b] = [byName(before), byName(after)];
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    const changed = [...a.keys()].filter((k) => a.get(k) !== b.get(k)).sort();
    expect(changed).toEqual(["buildfarm:index:BuildkitHost builder-2", "command:remote:Command builder-2-install", "command:remote:Command builder-2-release"]);
  });
});
