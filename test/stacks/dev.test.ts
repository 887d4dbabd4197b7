import { beforeAll, describe, expect, it } from "vitest";
import { isPinnedImage } from "../../components/dev-farm";
import { PINNED_IMAGES } from "../../lib/versions";
import { runStack, type RecordedResource, type StackRun } from "../../lib/plan/run-stack";
import { readStackFile, stackConfigFromObject } from "../../lib/plan/stack-file";
import { parse } from "yaml";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

interface ContainerProps {
  name: string;
  image: string;
  memory: number;
  memorySwap: number;
  cpus: string;
  restart: string;
  privileged?: boolean;
  command?: string[];
  securityOpts: string[];
  healthcheck?: { tests: string[] };
  ports?: Array<{ internal: number; external: number; ip: string }>;
  volumes?: Array<{ volumeName?: string; hostPath?: string; containerPath: string; readOnly?: boolean }>;
  networksAdvanced: Array<{ name: string; aliases: string[] }>;
  envs: unknown;
}

const byType = (run: StackRun, type: string) => run.resources.filter((r) => r.type === type);
const containers = (run: StackRun) => byType(run, "docker:index/container:Container").map((r) => ({ name: r.name, parent: r.parent, props: r.props as ContainerProps }));

/** The image id the mocks report for a RemoteImage (lib/plan/mock-state.ts). */
const mockImageId = (name: string) => `sha256:${createHash("sha256").update(name).digest("hex")}`;

/** The dev stack file's config with some keys replaced. */
function devConfigWith(overrides: Record<string, unknown>) {
  const document = parse(readFileSync("Pulumi.dev.yaml", "utf8")) as { config: Record<string, unknown> };
  return stackConfigFromObject({ ...document.config, ...overrides });
}

describe("dev stack (the whole farm on one Docker host)", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack({ stack: "dev", ...readStackFile("dev") });
  });

  it("registers the farm's components and resources", () => {
    const counts = (prefix: string) => Object.fromEntries(
      [...new Set(run.resources.filter((r) => r.type.startsWith(prefix)).map((r) => r.type))].sort().map((t) => [t, byType(run, t).length]),
    );
    expect(counts("buildfarm:index:")).toEqual({
      "buildfarm:index:BuilderTls": 1,
      "buildfarm:index:DistributedCache": 1,
      "buildfarm:index:DockerService": 4,
      "buildfarm:index:MonitoringStack": 1,
      "buildfarm:index:PluginSet": 1,
    });
    // 4 dev-farm services + Prometheus, Alertmanager, Grafana, node_exporter; each with its image.
    expect(counts("docker:")).toEqual({
      "docker:index/container:Container": 8,
      "docker:index/network:Network": 1,
      "docker:index/remoteImage:RemoteImage": 8,
      "docker:index/volume:Volume": 5,
    });
    expect(byType(run, "pulumi:providers:docker").map((p) => (p.props as { host: string }).host)).toEqual(["unix:///var/run/docker.sock"]);
    expect(containers(run).map((c) => c.props.name).sort()).toEqual([
      "buildfarm-alertmanager", "buildfarm-buildkitd", "buildfarm-grafana", "buildfarm-insights-exporter",
      "buildfarm-minio", "buildfarm-minio-setup", "buildfarm-node-exporter", "buildfarm-prometheus",
    ]);
    // Every container hangs off a component; nothing floats at the top level.
    for (const container of containers(run)) expect(["dev-monitoring", "dev-buildkitd", "dev-exporter", "dev-minio", "dev-minio-setup"]).toContain(container.parent);
  });

  it("puts every container on the private network, with a pinned image and memory and CPU limits", () => {
    const network = byType(run, "docker:index/network:Network")[0]!.props as { name: string; driver: string };
    expect(network).toMatchObject({ name: "buildfarm-dev", driver: "bridge" });
    const all = containers(run);
    expect(all.length).toBeGreaterThanOrEqual(4);
    const imagesById = new Map(byType(run, "docker:index/remoteImage:RemoteImage").map((r) => [mockImageId((r.props as { name: string }).name), (r.props as { name: string }).name]));
    for (const { name, props } of all) {
      // A container names its image by pinned reference, or by the id of a pinned RemoteImage.
      const reference = imagesById.get(props.image) ?? props.image;
      expect(isPinnedImage(reference), `${name}: ${reference}`).toBe(true);
      expect(props.memory, name).toBeGreaterThan(0);
      expect(props.memorySwap, name).toBe(props.memory);
      expect(Number(props.cpus), name).toBeGreaterThan(0);
      expect(props.networksAdvanced.map((n) => n.name), name).toEqual(["buildfarm-dev"]);
      expect(props.privileged ?? false, name).toBe(false);
      for (const volume of props.volumes ?? []) {
        if (volume.hostPath === undefined) continue;
        // Only node_exporter reads the host, read-only; nothing mounts the Docker socket.
        expect(`${name}:${volume.hostPath}:${String(volume.readOnly)}`).toBe("dev-monitoring-nodeExporter:/:true");
      }
    }
    for (const image of byType(run, "docker:index/remoteImage:RemoteImage")) expect(isPinnedImage((image.props as { name: string }).name), image.name).toBe(true);
  });

  it("gives every long-running container a health check and a restart policy, and runs setup jobs once", () => {
    for (const { name, props } of containers(run)) {
      if (props.restart === "no") {
        expect(name).toBe("dev-minio-setup-container");
        continue;
      }
      expect(props.restart, name).toBe("unless-stopped");
      expect(props.healthcheck?.tests[0], name).toBe("CMD");
      expect(props.healthcheck!.tests.length, name).toBeGreaterThan(1);
    }
  });

  it("keeps data in named volumes that outlive container replacements", () => {
    const volumes = new Map(byType(run, "docker:index/volume:Volume").map((v) => [(v.props as { name: string }).name, v]));
    const mounted = containers(run).flatMap((c) => (c.props.volumes ?? []).filter((v) => v.hostPath === undefined).map((v) => ({ container: c.props.name, ...v })));
    expect(mounted.map((m) => `${m.container}:${m.containerPath}`).sort()).toEqual([
      "buildfarm-alertmanager:/alertmanager", "buildfarm-buildkitd:/home/user/.local/share/buildkit", "buildfarm-grafana:/var/lib/grafana",
      "buildfarm-minio:/data", "buildfarm-prometheus:/prometheus",
    ]);
    for (const mount of mounted) expect(volumes.has(mount.volumeName!), mount.volumeName).toBe(true);
  });

  it("binds every published port to 127.0.0.1 by default", () => {
    const ports = containers(run).flatMap((c) => (c.props.ports ?? []).map((p) => ({ container: c.props.name, ...p })));
    expect(ports.map((p) => `${p.container}:${p.external}`).sort()).toEqual([
      "buildfarm-alertmanager:9093", "buildfarm-buildkitd:1234", "buildfarm-grafana:3000", "buildfarm-minio:9000", "buildfarm-minio:9001", "buildfarm-prometheus:9090",
    ]);
    for (const port of ports) expect(port.ip, `${port.container}:${port.external}`).toBe("127.0.0.1");
  });

  it("runs buildkitd rootless with upstream's security options, not privileged and with the process sandbox", () => {
    const buildkitd = containers(run).find((c) => c.props.name === "buildfarm-buildkitd")!.props;
    expect(buildkitd.image).toBe(PINNED_IMAGES.buildkitRootless);
    expect([...buildkitd.securityOpts].sort()).toEqual(["apparmor=unconfined", "seccomp=unconfined", "systempaths=unconfined"]);
    expect(buildkitd.command).not.toContain("--oci-worker-no-process-sandbox");
    expect(buildkitd.command).toEqual(expect.arrayContaining(["--addr", "tcp://0.0.0.0:1234", "--tlscacert"]));
    const others = containers(run).filter((c) => c.props.name !== "buildfarm-buildkitd");
    for (const { name, props } of others) expect(props.securityOpts, name).toContain("no-new-privileges:true");
  });

  it("renders buildkitd.toml with BuildkitHost's renderer for the rootless container", () => {
    const toml = run.artifacts.find((a) => a.path === "dev/buildkitd/buildkitd.toml")!.content;
    expect(toml).toContain("# Managed by the buildfarm Pulumi program (BuildkitHost)");
    expect(toml).toContain('root = "/home/user/.local/share/buildkit"');
    expect(toml).toContain("rootless = true");
    expect(toml).toContain("unix:///run/user/1000/buildkit/buildkitd.sock");
  });

  it("builds the exporter image from a context the bundling command prepares", () => {
    const image = byType(run, "docker:index/remoteImage:RemoteImage").find((r) => r.name === "dev-exporter-image")!.props as { name: string; build: { context: string; dockerfile: string } };
    expect(image.build).toMatchObject({ context: "bin/dev-exporter-image", dockerfile: "Dockerfile" });
    const prepare = run.resources.find((r) => r.name === "dev-exporter-context")!.props as { create: string; triggers: string[] };
    expect(prepare.create).toContain("npx tsx scripts/build-exporter.ts 'bin/dev-exporter-image/exporter.js'");
    expect(prepare.create).toContain("> 'bin/dev-exporter-image/Dockerfile'");
    // The image tag is the hash that also re-runs the bundling when the exporter sources change.
    expect(prepare.triggers).toEqual([image.name]);
    expect(containers(run).find((c) => c.props.name === "buildfarm-insights-exporter")!.props.image).toBe(image.name);
  });

  it("keeps generated keys and passwords out of resources, outputs and artifacts", () => {
    const text = JSON.stringify(run);
    for (const secret of ["mock-dev-minio-root-password", "mock-dev-grafana-admin-password", "mock-dev-cache-secret-access-key", "mock-dev-cache-access-key-id", "mock-dev-builder-tls-client-key", "mock-dev-builder-tls-server-key"]) {
      expect(text).not.toContain(secret);
    }
    const withSecrets = containers(run).filter((c) => c.props.envs === "[secret]").map((c) => c.props.name).sort();
    expect(withSecrets).toEqual(["buildfarm-minio", "buildfarm-minio-setup"]);
  });

  it("follows docker.bindAddress and an ssh:// Docker host", async () => {
    const other = await runStack({ stack: "dev", ...devConfigWith({ "buildfarm:docker": { host: "ssh://ops@farm.example.internal", bindAddress: "0.0.0.0" } }) });
    expect(byType(other, "pulumi:providers:docker").map((p) => (p.props as { host: string }).host)).toEqual(["ssh://ops@farm.example.internal"]);
    for (const { props } of containers(other)) for (const port of props.ports ?? []) expect(port.ip).toBe("0.0.0.0");
    const builders = (other.outputs as { builders: Array<{ endpoint: string }> }).builders;
    expect(builders.map((b) => b.endpoint)).toEqual(["tcp://farm.example.internal:1234"]);
  });

  it("runs from nothing but buildfarm:environment, with its own MinIO cache", async () => {
    const minimal = await runStack({ stack: "dev", ...stackConfigFromObject({ "buildfarm:environment": "dev" }) });
    const cache = byType(minimal, "buildfarm:index:DistributedCache")[0]!.props as { backend: string; endpoint: string; bucket: string };
    expect(cache).toMatchObject({ backend: "s3-compatible", endpoint: "http://minio:9000", bucket: "buildkit-cache" });
    expect(containers(minimal).length).toBe(containers(run).length);
  });

  it("refuses a dev cache that is not the s3-compatible MinIO, before registering anything", async () => {
    const bad = devConfigWith({ "buildfarm:cache": { backend: "aws", bucket: "some-bucket", region: "eu-west-1" } });
    await expect(runStack({ stack: "dev", ...bad })).rejects.toThrow('buildfarm:cache.backend: expected "s3-compatible" in dev (the dev stack runs MinIO), got "aws"');
  });

  it("is deterministic: the same config gives byte-identical resources, outputs and artifacts", async () => {
    const again = await runStack({ stack: "dev", ...readStackFile("dev") });
    expect(JSON.stringify(again)).toBe(JSON.stringify(run));
  });

  it("names each resource after its component", () => {
    const children = run.resources.filter((r: RecordedResource) => r.parent !== null && r.type !== "pulumi:providers:docker");
    for (const child of children) expect(child.name.startsWith(`${child.parent}-`), `${child.name} under ${child.parent}`).toBe(true);
  });
});
