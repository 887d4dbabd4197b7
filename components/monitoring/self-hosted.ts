import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringSettings } from "./args";
import { SLACK_URL_FILE } from "./render-alertmanager";
import { NATIVE_HISTOGRAMS_FLAG, PROMETHEUS_CONFIG_DIR } from "./render-prometheus";
import { MONITORING_HOSTS, MONITORING_PORTS, type RenderedMonitoring } from "./render-stack";

export interface SelfHostedArgs {
  readonly settings: MonitoringSettings;
  readonly rendered: RenderedMonitoring;
  readonly provider: docker.Provider;
  /** Name of the private Docker network the builders are on. */
  readonly networkName: pulumi.Input<string>;
  /** Container name prefix. */
  readonly namePrefix: string;
  readonly grafanaAdminPassword: pulumi.Input<string>;
  readonly slackWebhookUrl?: pulumi.Input<string>;
}

export interface SelfHostedContainers {
  readonly prometheus: docker.Container;
  readonly alertmanager?: docker.Container;
  readonly grafana: docker.Container;
  readonly nodeExporter: docker.Container;
}

type Service = keyof typeof MONITORING_HOSTS;

/** `wget` exists in all four pinned images (busybox / alpine based). */
function httpHealthcheck(port: number, path: string): docker.types.input.ContainerHealthcheck {
  return { tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${port}${path}`], interval: "30s", timeout: "5s", retries: 3, startPeriod: "20s" };
}

/** Prometheus, Alertmanager, Grafana and node_exporter containers on the given Docker host and network. */
export function createSelfHostedContainers(name: string, args: SelfHostedArgs, parent: pulumi.Resource): SelfHostedContainers {
  const { settings, rendered } = args;
  const opts: pulumi.CustomResourceOptions = { parent, provider: args.provider };

  const image = (service: Service): docker.RemoteImage =>
    new docker.RemoteImage(`${name}-${service}-image`, { name: settings.images[service], keepLocally: true }, opts);
  const volume = (service: Service): docker.Volume =>
    new docker.Volume(`${name}-${service}-data`, { name: `${args.namePrefix}-${MONITORING_HOSTS[service]}-data`, labels: [{ label: "org.buildfarm.component", value: "monitoring" }] }, opts);

  /** Shared shape: pinned image, limits, restart policy, private network alias, ports on the bind address only. */
  const container = (service: Service, extra: Partial<docker.ContainerArgs>, additional: pulumi.CustomResourceOptions = {}): docker.Container => {
    const limits = settings.limits[service];
    const published = service === "nodeExporter" ? [] : [{ internal: MONITORING_PORTS[service], external: settings.ports[service], ip: settings.bindAddress }];
    return new docker.Container(
      `${name}-${service}`,
      {
        name: `${args.namePrefix}-${MONITORING_HOSTS[service]}`,
        image: image(service).imageId,
        memory: limits.memoryMb,
        memorySwap: limits.memoryMb,
        cpus: String(limits.cpus),
        restart: "unless-stopped",
        securityOpts: ["no-new-privileges:true"],
        capabilities: { drops: ["ALL"] },
        networksAdvanced: [{ name: args.networkName, aliases: [MONITORING_HOSTS[service]] }],
        ports: published,
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "3" },
        ...extra,
      },
      { ...opts, ...additional },
    );
  };

  const prometheus = container("prometheus", {
    command: [
      `--config.file=${PROMETHEUS_CONFIG_DIR}/prometheus.yml`,
      "--storage.tsdb.path=/prometheus",
      `--storage.tsdb.retention.time=${settings.retention}`,
      NATIVE_HISTOGRAMS_FLAG,
    ],
    uploads: [
      { file: `${PROMETHEUS_CONFIG_DIR}/prometheus.yml`, content: rendered.prometheusConfig },
      ...rendered.ruleFiles.map((f) => ({ file: `${PROMETHEUS_CONFIG_DIR}/${f.path}`, content: f.content })),
    ],
    volumes: [{ volumeName: volume("prometheus").name, containerPath: "/prometheus" }],
    healthcheck: httpHealthcheck(MONITORING_PORTS.prometheus, "/-/healthy"),
  });

  let alertmanager: docker.Container | undefined;
  if (rendered.alertmanager !== undefined) {
    const slackUpload = args.slackWebhookUrl !== undefined ? [{ file: SLACK_URL_FILE, content: pulumi.secret(args.slackWebhookUrl) }] : [];
    alertmanager = container(
      "alertmanager",
      {
        command: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
        uploads: [{ file: "/etc/alertmanager/alertmanager.yml", content: rendered.alertmanager.config }, ...slackUpload],
        volumes: [{ volumeName: volume("alertmanager").name, containerPath: "/alertmanager" }],
        healthcheck: httpHealthcheck(MONITORING_PORTS.alertmanager, "/-/healthy"),
      },
      { additionalSecretOutputs: ["uploads"] },
    );
  }

  const grafana = container(
    "grafana",
    {
      // The password is read from a file so it never shows up in `docker inspect` environment.
      envs: ["GF_SECURITY_ADMIN_USER=admin", "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana-admin-password", "GF_USERS_ALLOW_SIGN_UP=false", "GF_ANALYTICS_REPORTING_ENABLED=false"],
      uploads: [{ file: "/run/secrets/grafana-admin-password", content: pulumi.secret(args.grafanaAdminPassword) }],
      volumes: [{ volumeName: volume("grafana").name, containerPath: "/var/lib/grafana" }],
      healthcheck: httpHealthcheck(MONITORING_PORTS.grafana, "/api/health"),
    },
    { additionalSecretOutputs: ["uploads"] },
  );

  const nodeExporter = container("nodeExporter", {
    command: ["--path.rootfs=/host"],
    volumes: [{ hostPath: "/", containerPath: "/host", readOnly: true }],
    readOnly: true,
    healthcheck: httpHealthcheck(MONITORING_PORTS.nodeExporter, "/metrics"),
  });

  return { prometheus, grafana, nodeExporter, ...(alertmanager ? { alertmanager } : {}) };
}
